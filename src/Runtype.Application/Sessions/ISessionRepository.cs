using Runtype.Domain.Sessions;

namespace Runtype.Application.Sessions;

/// <summary>Loads and saves Session aggregates for changes (tracked).</summary>
public interface ISessionRepository
{
    /// <summary>The caller's session, tracked for a change; null when missing or someone else's.</summary>
    Task<Session?> FindAsync(Guid id, string userId, CancellationToken cancellationToken);

    /// <summary>Active sessions whose expiresAt is at or before <paramref name="now"/>, oldest expiry first, tracked.</summary>
    Task<IReadOnlyList<Session>> FindDueForExpiryAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    void Add(Session session);

    void Remove(Session session);

    /// <summary>Saves the tracked sessions and their new events; throws <see cref="Common.ConcurrencyConflictException"/> on a stale version.</summary>
    Task SaveChangesAsync(CancellationToken cancellationToken);
}

/// <summary>Read-only queries (no tracking) behind the GET calls.</summary>
public interface ISessionQueries
{
    Task<Session?> GetAsync(Guid id, string userId, CancellationToken cancellationToken);

    /// <summary>
    /// The caller's session, and its events oldest first, read as they are enumerated (one at a time, on the scope's
    /// connection: a log of any length is never all in memory); null when missing or someone else's.
    /// </summary>
    Task<(Session Session, IAsyncEnumerable<SessionEvent> Events)?> GetWithEventsAsync(Guid id, string userId, CancellationToken cancellationToken);

    Task<SessionEvent?> GetEventAsync(Guid sessionId, Guid eventId, string userId, CancellationToken cancellationToken);

    /// <summary>At most <paramref name="limit"/> of the session's events whose sequence is after <paramref name="afterSequence"/>, oldest first.</summary>
    Task<IReadOnlyList<SessionEvent>> GetEventsAfterAsync(Guid sessionId, long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>A page of the user's sessions, newest first; <paramref name="status"/> is the status as clients see it at <paramref name="now"/>.</summary>
    Task<(IReadOnlyList<Session> Items, int Total)> ListAsync(string userId, SessionStatus? status, int limit, int offset, DateTimeOffset now, CancellationToken cancellationToken);
}
