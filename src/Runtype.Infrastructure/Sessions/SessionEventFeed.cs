using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Application.Sessions.StreamSessionEvents;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Infrastructure.Sessions;

/// <summary>
/// The polls of the live streams. Each call opens its own scope, so its own context and connection
/// (<see cref="DatabaseScope"/>), and releases both before it returns: a stream that waits between polls holds nothing
/// of the database. A page is bounded by size as well as by count: the sizes of the next events are read first (small,
/// indexed), and only the events that fit are read whole, so one poll never loads more than a page however large the
/// events are.
/// </summary>
internal sealed class SessionEventFeed(IServiceScopeFactory scopes) : ISessionEventFeed
{
    public async Task<SessionEventBatch?> ReadAsync(
        Guid sessionId, string userId, long afterSequence, int maxEvents, int maxChars, CancellationToken cancellationToken)
    {
        await using var scope = await DatabaseScope.OpenAsync(scopes, cancellationToken);
        var db = scope.Get<RuntypeDbContext>();

        // The status first, then the events: a session that was terminal when its status was read cannot gain an
        // event after that, so the events read next are all there will ever be.
        var session = await db.Sessions.AsNoTracking()
            .Where(s => s.Id == sessionId && s.UserId == userId)
            .Select(s => new { s.Status, s.ExpiresAt })
            .FirstOrDefaultAsync(cancellationToken);
        if (session is null)
        {
            return null;
        }

        // One more than a page can hold tells whether more follow it.
        var sizes = await SessionEventReads.After(db, sessionId, afterSequence, maxEvents + 1)
            .Select(e => e.Payload.Length + (e.Message == null ? 0 : e.Message.Length) + e.Type.Length + (e.Stage == null ? 0 : e.Stage.Length))
            .ToListAsync(cancellationToken);
        var (count, chars) = (0, 0L);
        while (count < sizes.Count && count < maxEvents && (count == 0 || chars + sizes[count] <= maxChars))
        {
            chars += sizes[count++];
        }

        if (count == 0)
        {
            return new SessionEventBatch(session.Status, session.ExpiresAt, [], HasMore: false);
        }

        // The same events the sizes were read for: a log only grows at its end.
        var events = await SessionEventReads.After(db, sessionId, afterSequence, count).ToListAsync(cancellationToken);
        return new SessionEventBatch(session.Status, session.ExpiresAt, events, HasMore: count < sizes.Count);
    }

    public async Task<Session?> GetSessionAsync(Guid sessionId, string userId, CancellationToken cancellationToken)
    {
        await using var scope = await DatabaseScope.OpenAsync(scopes, cancellationToken);
        var db = scope.Get<RuntypeDbContext>();
        return await db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId && s.UserId == userId, cancellationToken);
    }

    public async Task<IReadOnlyList<SessionChangeMark>> ReadChangesAsync(string userId, DateTime since, int skip, int limit, CancellationToken cancellationToken)
    {
        await using var scope = await DatabaseScope.OpenAsync(scopes, cancellationToken);
        var db = scope.Get<RuntypeDbContext>();
        return await SessionChangeReads.Since(db, since, userId)
            .OrderBy(m => m.At).ThenBy(m => m.SessionId).Skip(skip).Take(limit)
            .Select(m => new SessionChangeMark(m.SessionId, m.At, m.Version, m.LastEventSequence, m.Deleted))
            .ToListAsync(cancellationToken);
    }

    public async Task<long> LastSequenceAsync(Guid sessionId, DateTime at, bool inclusive, CancellationToken cancellationToken)
    {
        await using var scope = await DatabaseScope.OpenAsync(scopes, cancellationToken);
        var db = scope.Get<RuntypeDbContext>();

        // Read from the end of the log backwards (the (session_id, sequence) index): as far as the events created after `at`.
        return await db.SessionEvents.AsNoTracking()
            .Where(e => e.SessionId == sessionId && (inclusive ? e.CreatedAt <= at : e.CreatedAt < at))
            .OrderByDescending(e => e.Sequence)
            .Select(e => e.Sequence)
            .FirstOrDefaultAsync(cancellationToken);
    }
}

/// <summary>
/// The one query for "sessions changed since a time": the sessions whose <c>updated_at</c> is at or after it
/// (<c>ix_sessions_updated</c>, or <c>ix_sessions_user_updated</c> for one user) and the deletions since then
/// (<c>session_deletions</c>), as one set.
/// </summary>
internal static class SessionChangeReads
{
    public static IQueryable<ChangeRow> Since(RuntypeDbContext db, DateTime since, string? userId = null)
    {
        var sessions = db.Sessions.AsNoTracking().Where(s => s.UpdatedAt >= since);
        var deletions = db.SessionDeletions.AsNoTracking().Where(d => d.DeletedAt >= since);
        if (userId is not null)
        {
            sessions = sessions.Where(s => s.UserId == userId);
            deletions = deletions.Where(d => d.UserId == userId);
        }

        return sessions.Select(s => new ChangeRow { SessionId = s.Id, UserId = s.UserId, At = s.UpdatedAt, Version = s.Version, LastEventSequence = s.LastEventSequence, Deleted = false })
            .Concat(deletions.Select(d => new ChangeRow { SessionId = d.SessionId, UserId = d.UserId, At = d.DeletedAt, Version = 0, LastEventSequence = 0, Deleted = true }));
    }

    /// <summary>One row of the set (a class with settable members, so that both halves project to the same shape).</summary>
    internal sealed class ChangeRow
    {
        public Guid SessionId { get; init; }

        public string UserId { get; init; } = null!;

        public DateTime At { get; init; }

        public long Version { get; init; }

        public long LastEventSequence { get; init; }

        public bool Deleted { get; init; }
    }
}

/// <summary>The one query for "a session's events after a position": ordered by the unique (session_id, sequence) index.</summary>
internal static class SessionEventReads
{
    public static IQueryable<SessionEvent> After(RuntypeDbContext db, Guid sessionId, long afterSequence, int limit) =>
        db.SessionEvents.AsNoTracking()
            .Where(e => e.SessionId == sessionId && e.Sequence > afterSequence)
            .OrderBy(e => e.Sequence)
            .Take(limit);
}
