using Runtype.Domain.Sessions;

namespace Runtype.Application.Sessions.StreamSessionEvents;

/// <summary>
/// What a live stream reads on each poll. Every call is short and self-contained (its own database context and
/// connection, released before it returns), so a stream holds no connection while it waits.
/// </summary>
public interface ISessionEventFeed
{
    /// <summary>
    /// The session's status and expiry, read first, then at most <paramref name="limit"/> of its events after
    /// <paramref name="afterSequence"/>, oldest first. Null when the session no longer exists (deleted).
    /// </summary>
    Task<SessionEventBatch?> ReadAsync(Guid sessionId, string userId, long afterSequence, int limit, CancellationToken cancellationToken);
}

/// <summary>
/// One poll's result. <see cref="Status"/> and <see cref="ExpiresAt"/> were read before <see cref="Events"/>: when the
/// session was already terminal then, no event can follow those read after it.
/// </summary>
public sealed record SessionEventBatch(SessionStatus Status, DateTime ExpiresAt, IReadOnlyList<SessionEvent> Events);
