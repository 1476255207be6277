using Runtype.Domain.Sessions;

namespace Runtype.Application.Sessions.StreamSessionEvents;

/// <summary>
/// What a live stream reads when it is woken. Every call is short and self-contained (its own database context and
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

    /// <summary>The user's session as it stands (no events); null when it no longer exists.</summary>
    Task<Session?> GetSessionAsync(Guid sessionId, string userId, CancellationToken cancellationToken);

    /// <summary>
    /// The user's sessions created, changed or deleted at or after <paramref name="since"/>, in the order of
    /// <see cref="SessionChangeMark.Position"/>, skipping the first <paramref name="skip"/>: at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<SessionChangeMark>> ReadChangesAsync(string userId, DateTime since, int skip, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The sequence of the session's last event created before <paramref name="at"/> (or at it, when
    /// <paramref name="inclusive"/>); 0 when there is none.
    /// </summary>
    Task<long> LastSequenceAsync(Guid sessionId, DateTime at, bool inclusive, CancellationToken cancellationToken);
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

/// <summary>
/// A session that changed: its id, when (its <c>updatedAt</c>, or when it was deleted), its version and the sequence of
/// its last event then (0 for a deletion). <see cref="Position"/> orders changes as the streams send them.
/// </summary>
public sealed record SessionChangeMark(Guid SessionId, DateTime At, long Version, long LastEventSequence, bool Deleted)
{
    public ChangePosition Position => new(At, SessionId);
}

/// <summary>
/// A place in the changes of a user's sessions: a time, then a session id at the same time. Written as
/// <c>&lt;unix milliseconds&gt;-&lt;session id&gt;</c>, the Last-Event-ID of the stream of all sessions.
/// </summary>
public readonly record struct ChangePosition(DateTime At, Guid SessionId) : IComparable<ChangePosition>
{
    public int CompareTo(ChangePosition other)
    {
        var byTime = At.CompareTo(other.At);
        return byTime != 0 ? byTime : string.CompareOrdinal(SessionId.ToString("D"), other.SessionId.ToString("D"));
    }

    public static bool operator <(ChangePosition left, ChangePosition right) => left.CompareTo(right) < 0;

    public static bool operator >(ChangePosition left, ChangePosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(ChangePosition left, ChangePosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ChangePosition left, ChangePosition right) => left.CompareTo(right) >= 0;

    public static ChangePosition Max(ChangePosition a, ChangePosition b) => a >= b ? a : b;

    public override string ToString() =>
        $"{new DateTimeOffset(DateTime.SpecifyKind(At, DateTimeKind.Utc)).ToUnixTimeMilliseconds()}-{SessionId:D}";

    /// <summary>Reads the written form back; false for anything else (a cursor is only what the server wrote).</summary>
    public static bool TryParse(string? text, out ChangePosition position)
    {
        position = default;
        var dash = text?.IndexOf('-', StringComparison.Ordinal) ?? -1;
        if (text is null || dash is < 1 or > 15 || text.Length != dash + 37
            || !text.AsSpan(0, dash).ToString().All(char.IsAsciiDigit)
            || !long.TryParse(text.AsSpan(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds)
            || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
            || !Guid.TryParseExact(text.AsSpan(dash + 1), "D", out var sessionId)
            || !string.Equals(sessionId.ToString("D"), text[(dash + 1)..], StringComparison.Ordinal))
        {
            return false;
        }

        position = new ChangePosition(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime, sessionId);
        return true;
    }
}
