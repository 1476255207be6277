using Runtype.Domain.Sessions;

namespace Runtype.Domain.Tests.Sessions;

public sealed class SessionEventTests
{
    [Fact]
    public void AppendEvent_records_what_the_client_sent_for_the_sessions_owner()
    {
        var session = TestSessions.New();
        var now = TestSessions.T0.AddMinutes(3).AddTicks(4000); // 10:03:00.1238567

        var appended = session.AppendEvent("plan.drafted", "planning", "First draft", """{ "b": 1, "a": [2] }""", now);

        Assert.Same(appended, Assert.Single(session.NewEvents));
        Assert.Equal(7, appended.Id.Version);
        Assert.Equal(session.Id, appended.SessionId);
        Assert.Equal(TestSessions.UserId, appended.UserId);
        Assert.Equal(TestSessions.OrganizationId, appended.OrganizationId);
        Assert.Equal("plan.drafted", appended.Type);
        Assert.Equal("planning", appended.Stage);
        Assert.Equal("First draft", appended.Message);
        Assert.Equal("""{ "b": 1, "a": [2] }""", appended.Payload);
        Assert.Equal(new DateTime(2026, 3, 1, 10, 3, 0, 123, DateTimeKind.Utc), appended.CreatedAt);
        Assert.Equal(1, appended.Sequence);
    }

    [Fact]
    public void The_payload_defaults_to_an_empty_object()
    {
        var session = TestSessions.New();

        var appended = session.AppendEvent("note", null, null, null, TestSessions.Later);

        Assert.Equal("{}", appended.Payload);
        Assert.Null(appended.Stage);
        Assert.Null(appended.Message);
    }

    [Fact]
    public void AppendEvent_bumps_updatedAt_and_the_version()
    {
        var session = TestSessions.New();
        var now = TestSessions.T0.AddMinutes(7);

        session.AppendEvent("note", null, null, null, now);

        Assert.Equal(new DateTime(2026, 3, 1, 10, 7, 0, 123, DateTimeKind.Utc), session.UpdatedAt);
        Assert.Equal(2, session.Version);
    }

    [Fact]
    public void Sequence_numbers_increase_by_one_across_client_and_status_events()
    {
        var session = TestSessions.New();

        var first = session.AppendEvent("a", null, null, null, TestSessions.T0.AddMinutes(1));
        session.Update(new SessionUpdate(Status: SessionStatus.Planning), TestSessions.T0.AddMinutes(2));
        var third = session.AppendEvent("b", null, null, null, TestSessions.T0.AddMinutes(3));
        var fourth = session.AppendEvent("c", null, null, null, TestSessions.T0.AddMinutes(3));

        Assert.Equal([1L, 2L, 3L, 4L], session.NewEvents.Select(e => e.Sequence));
        Assert.Equal(1, first.Sequence);
        Assert.Equal(3, third.Sequence);
        Assert.Equal(4, fourth.Sequence);
        Assert.Equal(4, session.LastEventSequence);
        Assert.Equal(4, session.NewEvents.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public void The_status_changed_type_is_reserved_for_the_server()
    {
        var session = TestSessions.New();
        var before = SessionSnapshot.Of(session);

        var error = Assert.Throws<ReservedEventType>(() => session.AppendEvent("status_changed", "completed", null, """{"from":"intake","to":"completed"}""", TestSessions.Later));

        Assert.Contains("status_changed", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, SessionSnapshot.Of(session));
    }

    [Theory]
    [InlineData("Status_Changed")]
    [InlineData("status_changed.v2")]
    public void Types_that_only_resemble_the_reserved_one_are_accepted(string type)
    {
        var session = TestSessions.New();

        var appended = session.AppendEvent(type, null, null, null, TestSessions.Later);

        Assert.Equal(type, appended.Type);
    }

    [Fact]
    public void An_event_needs_a_type()
    {
        var session = TestSessions.New();

        Assert.Throws<ArgumentException>(() => session.AppendEvent("", null, null, null, TestSessions.Later));
        Assert.Empty(session.NewEvents);
    }
}
