using Runtype.Domain.Sessions;

namespace Runtype.Domain.Tests.Sessions;

public sealed class SessionStartTests
{
    [Fact]
    public void Start_keeps_what_the_client_sent_and_owns_the_session_by_the_caller()
    {
        var session = Session.Start("user_1", "org_1", "2024-06", "v3", """{ "goal" : "x" }""", TestSessions.T0, TestSessions.TimeToLive);

        Assert.Equal("user_1", session.UserId);
        Assert.Equal("org_1", session.OrganizationId);
        Assert.Equal("2024-06", session.CatalogVersion);
        Assert.Equal("v3", session.SchemaVersion);
        Assert.Equal("""{ "goal" : "x" }""", session.Prd);
        Assert.Equal(SessionStatus.Intake, session.Status);
        Assert.Null(session.Plan);
        Assert.Null(session.ProductObject);
        Assert.Null(session.ProductObjectHash);
        Assert.Null(session.AssemblyState);
        Assert.Equal(1, session.Version);
        Assert.Equal(0, session.LastEventSequence);
        Assert.Empty(session.NewEvents);
    }

    [Fact]
    public void Start_gives_a_time_ordered_version_7_id()
    {
        var first = TestSessions.New(TestSessions.T0);
        var second = TestSessions.New(TestSessions.T0.AddSeconds(1));

        Assert.Equal(7, first.Id.Version);
        Assert.NotEqual(first.Id, second.Id);
        Assert.True(first.Id.CompareTo(second.Id) < 0);
    }

    [Fact]
    public void Timestamps_are_utc_and_truncated_to_milliseconds()
    {
        // 12:34:56.7891234 at UTC+02:00 is 10:34:56.789 UTC.
        var local = new DateTimeOffset(2026, 3, 1, 12, 34, 56, 789, TimeSpan.FromHours(2)).AddTicks(1234);

        var session = TestSessions.New(local);

        var expected = new DateTime(2026, 3, 1, 10, 34, 56, 789, DateTimeKind.Utc);
        Assert.Equal(expected, session.CreatedAt);
        Assert.Equal(DateTimeKind.Utc, session.CreatedAt.Kind);
        Assert.Equal(expected, session.UpdatedAt);
        Assert.Equal(DateTimeKind.Utc, session.UpdatedAt.Kind);
        Assert.Equal(DateTimeKind.Utc, session.ExpiresAt.Kind);
    }

    [Fact]
    public void ExpiresAt_is_createdAt_plus_the_time_to_live()
    {
        var session = TestSessions.New(TestSessions.T0, TimeSpan.FromDays(30));

        Assert.Equal(new DateTime(2026, 3, 31, 10, 0, 0, 123, DateTimeKind.Utc), session.ExpiresAt);
        Assert.Equal(session.CreatedAt + TimeSpan.FromDays(30), session.ExpiresAt);
    }

    [Fact]
    public void ExpiresAt_is_truncated_to_milliseconds_even_for_a_time_to_live_with_a_fraction_of_one()
    {
        var timeToLive = TimeSpan.FromMinutes(5) + TimeSpan.FromTicks(4321);

        var session = TestSessions.New(TestSessions.T0, timeToLive);

        Assert.Equal(new DateTime(2026, 3, 1, 10, 5, 0, 123, DateTimeKind.Utc), session.ExpiresAt);
        Assert.Equal(0, session.ExpiresAt.Ticks % TimeSpan.TicksPerMillisecond);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_time_to_live_that_is_not_positive_is_refused(int seconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TestSessions.New(TestSessions.T0, TimeSpan.FromSeconds(seconds)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void A_session_needs_an_owner(string userId)
    {
        Assert.Throws<ArgumentException>(() => Session.Start(userId, null, null, null, null, TestSessions.T0, TestSessions.TimeToLive));
    }
}
