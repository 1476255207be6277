namespace Runtype.Infrastructure.Sessions;

/// <summary>
/// That a session was deleted, and when: written in the deleting transaction (<see cref="SessionRepository"/>), so
/// that the change feed and the stream of all of a user's sessions, which find changes by time, also find deletions
/// (a deleted row is gone). Kept <see cref="Retention"/>, then purged by the sweeper.
/// </summary>
internal sealed class SessionDeletion
{
    /// <summary>How long a deletion stays findable: a stream resumed from an older position may not learn of it.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    public SessionDeletion(Guid sessionId, string userId, DateTime deletedAt)
    {
        SessionId = sessionId;
        UserId = userId;
        DeletedAt = deletedAt;
    }

    public Guid SessionId { get; private set; }

    public string UserId { get; private set; }

    public DateTime DeletedAt { get; private set; }
}
