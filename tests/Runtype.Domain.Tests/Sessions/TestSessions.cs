using Runtype.Domain.Sessions;

namespace Runtype.Domain.Tests.Sessions;

/// <summary>Builds sessions in a given status by walking legal transitions, as a client would.</summary>
internal static class TestSessions
{
    public const string UserId = "user_2abc";
    public const string OrganizationId = "org_7xyz";

    /// <summary>A start time with sub-millisecond ticks, so truncation is observable.</summary>
    public static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 3, 1, 10, 0, 0, 123, TimeSpan.Zero).AddTicks(4567);

    public static readonly TimeSpan TimeToLive = TimeSpan.FromDays(30);

    /// <summary>A moment well before expiry, after every step of <see cref="InStatus"/>.</summary>
    public static readonly DateTimeOffset Later = T0.AddHours(1);

    private static readonly Dictionary<SessionStatus, SessionStatus[]> Walks = new()
    {
        [SessionStatus.Intake] = [],
        [SessionStatus.Planning] = [SessionStatus.Planning],
        [SessionStatus.Generating] = [SessionStatus.Planning, SessionStatus.Generating],
        [SessionStatus.Assembling] = [SessionStatus.Planning, SessionStatus.Generating, SessionStatus.Assembling],
        [SessionStatus.Completed] = [SessionStatus.Planning, SessionStatus.Generating, SessionStatus.Assembling, SessionStatus.Completed],
        [SessionStatus.Failed] = [SessionStatus.Generating, SessionStatus.Failed],
        [SessionStatus.Cancelled] = [SessionStatus.Cancelled],
    };

    public static Session New(DateTimeOffset? now = null, TimeSpan? timeToLive = null) =>
        Session.Start(UserId, OrganizationId, "2024-06", "v3", """{"goal":"a landing page"}""", now ?? T0, timeToLive ?? TimeToLive);

    /// <summary>A session whose persisted status is <paramref name="status"/>; <c>expired</c> is reached through <see cref="Session.Expire"/>.</summary>
    public static Session InStatus(SessionStatus status)
    {
        var session = New();
        if (status == SessionStatus.Expired)
        {
            Assert.True(session.Expire(T0 + TimeToLive));
            return session;
        }

        var step = 0;
        foreach (var next in Walks[status])
        {
            session.Update(new SessionUpdate(Status: next), T0.AddMinutes(++step));
        }

        Assert.Equal(status, session.Status);
        return session;
    }
}

/// <summary>Everything observable about a session, to prove that a refused change changed nothing.</summary>
internal sealed record SessionSnapshot(
    Guid Id,
    string UserId,
    string? OrganizationId,
    SessionStatus Status,
    string? CatalogVersion,
    string? SchemaVersion,
    string? Prd,
    string? Plan,
    string? ProductObject,
    string? ProductObjectHash,
    string? AssemblyState,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime ExpiresAt,
    long Version,
    long LastEventSequence,
    int NewEventCount)
{
    public static SessionSnapshot Of(Session s) => new(
        s.Id, s.UserId, s.OrganizationId, s.Status, s.CatalogVersion, s.SchemaVersion, s.Prd, s.Plan, s.ProductObject,
        s.ProductObjectHash, s.AssemblyState, s.CreatedAt, s.UpdatedAt, s.ExpiresAt, s.Version, s.LastEventSequence, s.NewEvents.Count);
}
