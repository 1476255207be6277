using Runtype.Domain.Sessions;

namespace Runtype.Application.Sessions.StreamSessionEvents;

/// <summary>
/// What a live stream reads on each poll. Every call is short and self-contained (its own database context and
/// connection, released before it returns), so a stream holds no connection while it waits.
/// </summary>
public interface ISessionEventFeed
{
    /// <summary>
    /// The session's status and expiry, read first, then a page of its events after <paramref name="afterSequence"/>,
    /// oldest first: at most <paramref name="maxEvents"/>, and at most <paramref name="maxChars"/> characters of event
    /// text (payload, message, type, stage) unless the first event alone has more. Null when the session no longer
    /// exists (deleted).
    /// </summary>
    Task<SessionEventBatch?> ReadAsync(Guid sessionId, string userId, long afterSequence, int maxEvents, int maxChars, CancellationToken cancellationToken);
}

/// <summary>
/// One poll's result. <see cref="Status"/> and <see cref="ExpiresAt"/> were read before <see cref="Events"/>: when the
/// session was already terminal then, and <see cref="HasMore"/> is false, no event can follow those read after it.
/// </summary>
/// <param name="Status">The session's stored status.</param>
/// <param name="ExpiresAt">When the session expires.</param>
/// <param name="Events">The page, oldest first.</param>
/// <param name="HasMore">The page was cut short (by count or by size): more events follow it already.</param>
public sealed record SessionEventBatch(SessionStatus Status, DateTime ExpiresAt, IReadOnlyList<SessionEvent> Events, bool HasMore);
