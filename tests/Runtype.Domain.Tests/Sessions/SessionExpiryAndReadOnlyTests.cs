using Runtype.Domain.Sessions;

namespace Runtype.Domain.Tests.Sessions;

public sealed class SessionExpiryAndReadOnlyTests
{
    private static readonly DateTimeOffset ExpiresAt = TestSessions.T0 + TestSessions.TimeToLive;

    [Theory]
    [InlineData(SessionStatus.Completed)]
    [InlineData(SessionStatus.Failed)]
    [InlineData(SessionStatus.Cancelled)]
    public void A_terminal_session_refuses_every_update_and_every_event(SessionStatus status)
    {
        var session = TestSessions.InStatus(status);
        var before = SessionSnapshot.Of(session);
        var now = ExpiresAt.AddDays(1);

        Assert.Equal(status, Assert.Throws<SessionIsReadOnly>(() => session.Update(new SessionUpdate(Plan: """{"v":1}"""), now)).Status);
        Assert.Throws<SessionIsReadOnly>(() => session.Update(new SessionUpdate(), now));
        Assert.Throws<SessionIsReadOnly>(() => session.Update(new SessionUpdate(ProductObjectHash: session.ProductObjectHash), now));
        Assert.Throws<SessionIsReadOnly>(() => session.AppendEvent("note", null, null, null, now));
        Assert.Equal(before, SessionSnapshot.Of(session));
    }

    [Fact]
    public void A_persisted_expired_session_refuses_every_update_and_every_event_as_expired()
    {
        var session = TestSessions.InStatus(SessionStatus.Expired);
        var before = SessionSnapshot.Of(session);
        var now = ExpiresAt.AddDays(1);

        Assert.Throws<SessionExpired>(() => session.Update(new SessionUpdate(Plan: """{"v":1}"""), now));
        Assert.Throws<SessionExpired>(() => session.Update(new SessionUpdate(Status: SessionStatus.Expired), now));
        Assert.Throws<SessionExpired>(() => session.AppendEvent("note", null, null, null, now));
        Assert.Equal(before, SessionSnapshot.Of(session));
    }

    [Fact]
    public void A_terminal_session_is_read_only_even_before_its_expiry()
    {
        var session = TestSessions.InStatus(SessionStatus.Cancelled);

        Assert.Throws<SessionIsReadOnly>(() => session.AppendEvent("note", null, null, null, TestSessions.Later));
        Assert.Throws<SessionIsReadOnly>(() => session.Update(new SessionUpdate(Plan: "{}"), TestSessions.Later));
    }

    [Fact]
    public void An_active_session_reads_as_expired_from_its_expiresAt_on()
    {
        var session = TestSessions.InStatus(SessionStatus.Generating);

        Assert.Equal(SessionStatus.Generating, session.StatusAt(ExpiresAt.AddMilliseconds(-1)));
        Assert.Equal(SessionStatus.Expired, session.StatusAt(ExpiresAt));
        Assert.Equal(SessionStatus.Expired, session.StatusAt(ExpiresAt.AddDays(400)));
        Assert.Equal(SessionStatus.Generating, session.Status);
    }

    [Theory]
    [InlineData(SessionStatus.Completed)]
    [InlineData(SessionStatus.Failed)]
    [InlineData(SessionStatus.Cancelled)]
    public void A_terminal_session_keeps_its_status_after_expiresAt(SessionStatus status)
    {
        var session = TestSessions.InStatus(status);

        Assert.Equal(status, session.StatusAt(ExpiresAt.AddDays(1)));
    }

    [Fact]
    public void An_expired_session_refuses_updates_with_SessionExpired_and_changes_nothing()
    {
        var session = TestSessions.InStatus(SessionStatus.Planning);
        var before = SessionSnapshot.Of(session);

        var error = Assert.Throws<SessionExpired>(() => session.Update(new SessionUpdate(Status: SessionStatus.Generating, Plan: "{}"), ExpiresAt));

        Assert.Equal(session.ExpiresAt, error.ExpiresAt);
        Assert.Throws<SessionExpired>(() => session.Update(new SessionUpdate(Status: SessionStatus.Planning), ExpiresAt.AddHours(1)));
        Assert.Equal(before, SessionSnapshot.Of(session));
    }

    [Fact]
    public void An_expired_session_refuses_events_with_SessionExpired()
    {
        var session = TestSessions.New();
        var before = SessionSnapshot.Of(session);

        Assert.Throws<SessionExpired>(() => session.AppendEvent("note", null, null, null, ExpiresAt.AddSeconds(1)));

        Assert.Equal(before, SessionSnapshot.Of(session));
    }

    [Fact]
    public void A_session_is_writable_until_the_millisecond_before_expiresAt()
    {
        var session = TestSessions.New();

        session.AppendEvent("last", null, null, null, ExpiresAt.AddMilliseconds(-1));

        Assert.Single(session.NewEvents);
    }

    [Fact]
    public void Expire_persists_expiry_with_a_status_changed_event()
    {
        var session = TestSessions.InStatus(SessionStatus.Assembling);
        var before = SessionSnapshot.Of(session);
        var now = ExpiresAt.AddMinutes(2);

        Assert.True(session.Expire(now));

        Assert.Equal(SessionStatus.Expired, session.Status);
        Assert.Equal(SessionStatus.Expired, session.StatusAt(now));
        Assert.Equal(before.Version + 1, session.Version);
        Assert.Equal(new DateTime(2026, 3, 31, 10, 2, 0, 123, DateTimeKind.Utc), session.UpdatedAt);
        var appended = session.NewEvents[^1];
        Assert.Equal(before.NewEventCount + 1, session.NewEvents.Count);
        Assert.Equal("status_changed", appended.Type);
        Assert.Equal("expired", appended.Stage);
        Assert.Equal("""{"from":"assembling","to":"expired"}""", appended.Payload);
        Assert.Equal(before.LastEventSequence + 1, appended.Sequence);
    }

    [Fact]
    public void Expire_before_expiresAt_does_nothing()
    {
        var session = TestSessions.InStatus(SessionStatus.Planning);
        var before = SessionSnapshot.Of(session);

        Assert.False(session.Expire(ExpiresAt.AddMilliseconds(-1)));

        Assert.Equal(before, SessionSnapshot.Of(session));
    }

    [Theory]
    [InlineData(SessionStatus.Completed)]
    [InlineData(SessionStatus.Failed)]
    [InlineData(SessionStatus.Cancelled)]
    [InlineData(SessionStatus.Expired)]
    public void Expire_leaves_a_terminal_session_alone(SessionStatus status)
    {
        var session = TestSessions.InStatus(status);
        var before = SessionSnapshot.Of(session);

        Assert.False(session.Expire(ExpiresAt.AddDays(1)));

        Assert.Equal(before, SessionSnapshot.Of(session));
    }
}
