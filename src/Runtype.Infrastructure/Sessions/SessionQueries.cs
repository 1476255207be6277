using Microsoft.EntityFrameworkCore;
using Runtype.Application.Sessions;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Infrastructure.Sessions;

/// <summary>
/// The reads behind the GET calls: no tracking, the frequent ones as compiled queries (compiled once per model). A
/// provider whose planner needs to be told which index serves a page overrides <see cref="SessionsForStatusPage"/>.
/// </summary>
internal class SessionQueries(RuntypeDbContext db) : ISessionQueries
{
    private static readonly CompiledPerModel<Func<RuntypeDbContext, Guid, string, CancellationToken, Task<Session?>>> SessionById = new(() =>
        EF.CompileAsyncQuery((RuntypeDbContext db, Guid id, string userId, CancellationToken _) =>
            db.Sessions.AsNoTracking().FirstOrDefault(s => s.Id == id && s.UserId == userId)));

    private static readonly CompiledPerModel<Func<RuntypeDbContext, Guid, IAsyncEnumerable<SessionEvent>>> EventsOf = new(() =>
        EF.CompileAsyncQuery<RuntypeDbContext, Guid, SessionEvent>((db, sessionId) =>
            db.SessionEvents.AsNoTracking().Where(e => e.SessionId == sessionId).OrderBy(e => e.Sequence)));

    private static readonly CompiledPerModel<Func<RuntypeDbContext, Guid, Guid, string, CancellationToken, Task<SessionEvent?>>> EventById = new(() =>
        EF.CompileAsyncQuery((RuntypeDbContext db, Guid sessionId, Guid eventId, string userId, CancellationToken _) =>
            db.SessionEvents.AsNoTracking().FirstOrDefault(e => e.Id == eventId && e.SessionId == sessionId && e.UserId == userId)));

    private static readonly CompiledPerModel<Func<RuntypeDbContext, string, IAsyncEnumerable<SessionCount>>> CountsOf = new(() =>
        EF.CompileAsyncQuery<RuntypeDbContext, string, SessionCount>((db, userId) => db.SessionCounts.AsNoTracking().Where(c => c.UserId == userId)));

    // The total in one status is one statement (one snapshot of the data): the stored count and its correction for the
    // sessions past their expiry are read together, so a sweeper committing between two reads cannot make them disagree.
    private static readonly CompiledPerModel<Func<RuntypeDbContext, string, SessionStatus, DateTime, CancellationToken, Task<long>>> ActiveTotal = new(() =>
        EF.CompileAsyncQuery((RuntypeDbContext db, string userId, SessionStatus status, DateTime now, CancellationToken _) =>
            db.SessionCounts
                .Where(c => c.UserId == userId && c.Status == status)
                .Select(c => c.Total - db.Sessions.LongCount(s => s.UserId == userId && s.Status == status && s.ExpiresAt <= now))
                .FirstOrDefault()));

    private static readonly CompiledPerModel<Func<RuntypeDbContext, string, SessionStatus, CancellationToken, Task<long>>> StoredTotal = new(() =>
        EF.CompileAsyncQuery((RuntypeDbContext db, string userId, SessionStatus status, CancellationToken _) =>
            db.SessionCounts.Where(c => c.UserId == userId && c.Status == status).Select(c => c.Total).FirstOrDefault()));

    // A user with no count row has no session at all; otherwise any of the user's rows carries the two subqueries.
    private static readonly CompiledPerModel<Func<RuntypeDbContext, string, DateTime, CancellationToken, Task<long>>> ExpiredTotal = new(() =>
        EF.CompileAsyncQuery((RuntypeDbContext db, string userId, DateTime now, CancellationToken _) =>
            db.SessionCounts
                .Where(c => c.UserId == userId)
                .OrderBy(c => c.Status)
                .Select(c =>
                    db.SessionCounts.Where(e => e.UserId == userId && e.Status == SessionStatus.Expired).Sum(e => e.Total)
                    + db.Sessions.LongCount(s => s.UserId == userId
                        && (s.Status == SessionStatus.Intake || s.Status == SessionStatus.Planning || s.Status == SessionStatus.Generating || s.Status == SessionStatus.Assembling)
                        && s.ExpiresAt <= now))
                .FirstOrDefault()));

    /// <summary>A page of the owner's sessions, newest first: the list call without a filter, the most frequent.</summary>
    private static readonly CompiledPerModel<Func<RuntypeDbContext, string, int, int, IAsyncEnumerable<Session>>> PageOf = new(() =>
        EF.CompileAsyncQuery((RuntypeDbContext db, string userId, int offset, int limit) =>
            db.Sessions.AsNoTracking()
                .Where(s => s.UserId == userId)
                .OrderByDescending(s => s.CreatedAt)
                .ThenByDescending(s => s.Id)
                .Skip(offset)
                .Take(limit)));

    protected RuntypeDbContext Db => db;

    /// <summary>
    /// The sessions a page of one owner's sessions in one stored status is read from (newest first): the database's
    /// own choice of index unless a provider overrides it.
    /// </summary>
    protected virtual IQueryable<Session> SessionsForStatusPage => db.Sessions;

    public Task<Session?> GetAsync(Guid id, string userId, CancellationToken cancellationToken) =>
        SessionById.For(db)(db, id, userId, cancellationToken);

    public async Task<(Session Session, IAsyncEnumerable<SessionEvent> Events)?> GetWithEventsAsync(Guid id, string userId, CancellationToken cancellationToken)
    {
        var session = await GetAsync(id, userId, cancellationToken);
        return session is null ? null : (session, EventsOf.For(db)(db, id));
    }

    public Task<SessionEvent?> GetEventAsync(Guid sessionId, Guid eventId, string userId, CancellationToken cancellationToken) =>
        EventById.For(db)(db, sessionId, eventId, userId, cancellationToken);

    public async Task<IReadOnlyList<SessionEvent>> GetEventsAfterAsync(Guid sessionId, long afterSequence, int limit, CancellationToken cancellationToken) =>
        await SessionEventReads.After(db, sessionId, afterSequence, limit).ToListAsync(cancellationToken);

    public async Task<(IReadOnlyList<Session> Items, int Total)> ListAsync(
        string userId, SessionStatus? status, int limit, int offset, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var total = await CountAsync(userId, status, now.UtcDateTime, cancellationToken);
        return total <= offset
            ? ([], total)
            : (await PageAsync(userId, status, now.UtcDateTime, offset, limit, cancellationToken), total);
    }

    /// <summary>
    /// How many of the user's sessions a client sees in <paramref name="status"/> (all of them when null), without
    /// counting the user's rows: the per-status counts the database keeps (<see cref="SessionCount"/>), corrected for
    /// active sessions already past their expiry that the sweeper has not persisted yet (an indexed range, short since
    /// the sweeper runs every minute). Those read as expired, so they move from their stored status to expired.
    /// </summary>
    private async Task<int> CountAsync(string userId, SessionStatus? status, DateTime now, CancellationToken cancellationToken)
    {
        long total;
        switch (status)
        {
            case null:
                total = 0;
                await foreach (var count in CountsOf.For(db)(db, userId).WithCancellation(cancellationToken))
                {
                    total += count.Total;
                }

                break;
            case SessionStatus.Expired:
                total = await ExpiredTotal.For(db)(db, userId, now, cancellationToken);
                break;
            case { } terminal when SessionLifecycle.IsTerminal(terminal):
                total = await StoredTotal.For(db)(db, userId, terminal, cancellationToken);
                break;
            case { } active:
                total = await ActiveTotal.For(db)(db, userId, active, now, cancellationToken);
                break;
        }

        return (int)Math.Min(total, int.MaxValue);
    }

    private async Task<IReadOnlyList<Session>> PageAsync(string userId, SessionStatus? status, DateTime now, int offset, int limit, CancellationToken cancellationToken)
    {
        if (status is not { } wanted)
        {
            var page = new List<Session>(limit);
            await foreach (var session in PageOf.For(db)(db, userId, offset, limit).WithCancellation(cancellationToken))
            {
                page.Add(session);
            }

            return page;
        }

        return await WithStatus(wanted == SessionStatus.Expired ? db.Sessions : SessionsForStatusPage, wanted, now)
            .AsNoTracking()
            .Where(s => s.UserId == userId)
            .OrderByDescending(s => s.CreatedAt)
            .ThenByDescending(s => s.Id)
            .Skip(offset)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Filters on the status clients see: an active session past its expiry counts as expired, not as its stored status.</summary>
    private static IQueryable<Session> WithStatus(IQueryable<Session> query, SessionStatus status, DateTime now) => status switch
    {
        SessionStatus.Expired => query.Where(s => s.Status == SessionStatus.Expired
            || (s.ExpiresAt <= now && s.Status != SessionStatus.Completed && s.Status != SessionStatus.Failed && s.Status != SessionStatus.Cancelled)),
        _ when SessionLifecycle.IsTerminal(status) => query.Where(s => s.Status == status),
        _ => query.Where(s => s.Status == status && s.ExpiresAt > now),
    };
}
