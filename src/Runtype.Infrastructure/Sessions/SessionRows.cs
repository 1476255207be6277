using Microsoft.EntityFrameworkCore;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Infrastructure.Sessions;

/// <summary>
/// The row reads the GET calls are made of. Two ways to read them, the same rows either way: EF Core's compiled queries
/// (<see cref="EfSessionRows"/>, every provider) and hand-written SQL on SQLite (<see cref="SqliteSessionRows"/>).
/// </summary>
internal interface ISessionRows
{
    /// <summary>The owner's session, not tracked; null when missing or someone else's.</summary>
    Task<Session?> SessionAsync(Guid id, string userId, CancellationToken cancellationToken);

    /// <summary>The session's events oldest first, read as they are enumerated, on the context's connection.</summary>
    IAsyncEnumerable<SessionEvent> EventsOf(Guid sessionId);

    /// <summary>The owner's session counts per persisted status (<see cref="SessionCount"/>); missing statuses have none.</summary>
    Task<Dictionary<SessionStatus, long>> CountsAsync(string userId, CancellationToken cancellationToken);

    /// <summary>
    /// How many of the owner's sessions stored in the active <paramref name="activeStatus"/> (any active status when
    /// null) are past their expiry at <paramref name="now"/>: those read as expired.
    /// </summary>
    Task<int> OverdueAsync(string userId, SessionStatus? activeStatus, DateTime now, CancellationToken cancellationToken);

    /// <summary>
    /// A page of the owner's sessions newest first (createdAt desc, then id desc), of the status clients see at
    /// <paramref name="now"/> when one is given.
    /// </summary>
    Task<List<Session>> PageAsync(string userId, SessionStatus? status, DateTime now, int offset, int limit, CancellationToken cancellationToken);
}

/// <summary>The rows read by EF Core: no tracking, the frequent ones as compiled queries, compiled once per model.</summary>
internal sealed class EfSessionRows(RuntypeDbContext db) : ISessionRows
{
    private static readonly CompiledPerModel<Func<RuntypeDbContext, Guid, string, CancellationToken, Task<Session?>>> SessionById = new(() =>
        EF.CompileAsyncQuery((RuntypeDbContext db, Guid id, string userId, CancellationToken _) =>
            db.Sessions.AsNoTracking().FirstOrDefault(s => s.Id == id && s.UserId == userId)));

    private static readonly CompiledPerModel<Func<RuntypeDbContext, Guid, IAsyncEnumerable<SessionEvent>>> Events = new(() =>
        EF.CompileAsyncQuery<RuntypeDbContext, Guid, SessionEvent>((db, sessionId) =>
            db.SessionEvents.AsNoTracking().Where(e => e.SessionId == sessionId).OrderBy(e => e.Sequence)));

    private static readonly CompiledPerModel<Func<RuntypeDbContext, string, IAsyncEnumerable<SessionCount>>> Counts = new(() =>
        EF.CompileAsyncQuery<RuntypeDbContext, string, SessionCount>((db, userId) => db.SessionCounts.AsNoTracking().Where(c => c.UserId == userId)));

    private static readonly CompiledPerModel<Func<RuntypeDbContext, string, SessionStatus, DateTime, CancellationToken, Task<int>>> OverdueIn = new(() =>
        EF.CompileAsyncQuery((RuntypeDbContext db, string userId, SessionStatus status, DateTime now, CancellationToken _) =>
            db.Sessions.Count(s => s.UserId == userId && s.Status == status && s.ExpiresAt <= now)));

    private static readonly CompiledPerModel<Func<RuntypeDbContext, string, DateTime, CancellationToken, Task<int>>> OverdueActive = new(() =>
        EF.CompileAsyncQuery((RuntypeDbContext db, string userId, DateTime now, CancellationToken _) =>
            db.Sessions.Count(s => s.UserId == userId
                && (s.Status == SessionStatus.Intake || s.Status == SessionStatus.Planning || s.Status == SessionStatus.Generating || s.Status == SessionStatus.Assembling)
                && s.ExpiresAt <= now)));

    /// <summary>A page of the owner's sessions, newest first: the list call without a filter, the most frequent.</summary>
    private static readonly CompiledPerModel<Func<RuntypeDbContext, string, int, int, IAsyncEnumerable<Session>>> PageOf = new(() =>
        EF.CompileAsyncQuery((RuntypeDbContext db, string userId, int offset, int limit) =>
            db.Sessions.AsNoTracking()
                .Where(s => s.UserId == userId)
                .OrderByDescending(s => s.CreatedAt)
                .ThenByDescending(s => s.Id)
                .Skip(offset)
                .Take(limit)));

    public Task<Session?> SessionAsync(Guid id, string userId, CancellationToken cancellationToken) =>
        SessionById.For(db)(db, id, userId, cancellationToken);

    public IAsyncEnumerable<SessionEvent> EventsOf(Guid sessionId) => Events.For(db)(db, sessionId);

    public async Task<Dictionary<SessionStatus, long>> CountsAsync(string userId, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<SessionStatus, long>();
        await foreach (var count in Counts.For(db)(db, userId).WithCancellation(cancellationToken))
        {
            counts[count.Status] = count.Total;
        }

        return counts;
    }

    public Task<int> OverdueAsync(string userId, SessionStatus? activeStatus, DateTime now, CancellationToken cancellationToken) =>
        activeStatus is { } status
            ? OverdueIn.For(db)(db, userId, status, now, cancellationToken)
            : OverdueActive.For(db)(db, userId, now, cancellationToken);

    public async Task<List<Session>> PageAsync(string userId, SessionStatus? status, DateTime now, int offset, int limit, CancellationToken cancellationToken)
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

        return await WithStatus(wanted == SessionStatus.Expired ? db.Sessions : db.SessionsForStatusPage, wanted, now)
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
