using Runtype.Application.Sessions;
using Runtype.Domain.Sessions;
using static Runtype.Application.Tests.TestData;

namespace Runtype.Application.Tests.Sessions;

public sealed class SessionMapperTests
{
    private const string Product = """{"title":"Shop"}""";

    [Fact]
    public void ToDto_maps_every_field()
    {
        var session = SessionIn(SessionStatus.Generating);
        session.Update(
            new SessionUpdate(Plan: """{"steps":[1,2]}""", ProductObject: Product, AssemblyState: """{ "progress": 12.5 }"""),
            Now.AddMinutes(-5));

        var dto = session.ToDto(Now);

        var expected = new SessionDto(
            session.Id,
            "user_owner",
            "org_owner",
            "generating",
            "2024-06",
            "v3",
            """{"goal":"a shop"}""",
            """{"steps":[1,2]}""",
            Product,
            CanonicalJson.Hash(Product),
            """{ "progress": 12.5 }""",
            Ms(Now.AddHours(-1)),
            Ms(Now.AddMinutes(-5)),
            Ms(Now.AddHours(-1)) + TimeToLive);
        Assert.Equal(expected, dto);
        Assert.Equal(3, session.Version);
    }

    [Fact]
    public void ToDto_maps_a_session_with_empty_fields_to_nulls()
    {
        var session = Session.Start("user_x", null, null, null, null, Now, TimeToLive);

        var dto = session.ToDto(Now);

        Assert.Equal(new SessionDto(session.Id, "user_x", null, "intake", null, null, null, null, null, null, null, Ms(Now), Ms(Now), Ms(Now) + TimeToLive), dto);
    }

    [Theory]
    [InlineData(SessionStatus.Intake)]
    [InlineData(SessionStatus.Planning)]
    [InlineData(SessionStatus.Generating)]
    [InlineData(SessionStatus.Assembling)]
    public void An_active_session_past_its_expiry_reads_as_expired(SessionStatus status)
    {
        var session = SessionIn(status);

        Assert.Equal(status.ToWire(), session.ToDto(session.ExpiresAt.AddMilliseconds(-1)).Status);
        Assert.Equal("expired", session.ToDto(session.ExpiresAt).Status);
        Assert.Equal(status, session.Status);
    }

    [Theory]
    [InlineData(SessionStatus.Completed, "completed")]
    [InlineData(SessionStatus.Failed, "failed")]
    [InlineData(SessionStatus.Cancelled, "cancelled")]
    public void A_terminal_session_keeps_its_status_past_its_expiry(SessionStatus status, string wire)
    {
        var session = SessionIn(status);

        Assert.Equal(wire, session.ToDto(session.ExpiresAt.AddDays(1)).Status);
    }

    [Fact]
    public void A_persisted_expiry_reads_as_expired()
    {
        var session = SessionIn(SessionStatus.Planning);
        Assert.True(session.Expire(session.ExpiresAt));

        Assert.Equal("expired", session.ToDto(Now).Status);
    }

    [Fact]
    public void ToDto_maps_every_field_of_an_event()
    {
        var session = SessionIn();
        var appended = session.AppendEvent("note", "intake", "hello", """{"a": 1}""", Now);

        var dto = appended.ToDto();

        Assert.Equal(new SessionEventDto(appended.Id, session.Id, "user_owner", "org_owner", "note", "intake", "hello", """{"a": 1}""", Ms(Now)), dto);
    }

    [Fact]
    public async Task ToDetailsDto_adds_the_events_in_the_order_given()
    {
        var session = SessionIn(SessionStatus.Planning);
        session.AppendEvent("a", null, null, null, Now);
        session.AppendEvent("b", null, null, null, Now);

        var details = session.ToDetailsDto(session.NewEvents.ToAsyncEnumerable(), Now);
        var events = await details.Events.ToListAsync(TestContext.Current.CancellationToken);

        var header = new SessionDto(
            details.Id, details.UserId, details.OrganizationId, details.Status, details.CatalogVersion, details.SchemaVersion, details.Prd,
            details.Plan, details.ProductObject, details.ProductObjectHash, details.AssemblyState, details.CreatedAt, details.UpdatedAt, details.ExpiresAt);
        Assert.Equal(session.ToDto(Now), header);
        Assert.Equal(["status_changed", "a", "b"], events.Select(e => e.Type));
        Assert.Equal(session.NewEvents.Select(e => e.ToDto()), events);
    }
}
