using Microsoft.EntityFrameworkCore;
using Runtype.Application.Common;
using Runtype.Application.Common.Telemetry;
using Runtype.Application.Sessions;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Infrastructure.Sessions;

internal sealed class SessionRepository(RuntypeDbContext db, PendingMeasurements measurements) : ISessionRepository
{
    public Task<Session?> FindAsync(Guid id, string userId, CancellationToken cancellationToken) =>
        db.FindSessionForUpdateAsync(id, userId, cancellationToken);

    public async Task<IReadOnlyList<Session>> FindDueForExpiryAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        var cutoff = now.UtcDateTime;
        return await db.Sessions
            .Where(s => s.ExpiresAt <= cutoff
                && (s.Status == SessionStatus.Intake || s.Status == SessionStatus.Planning
                    || s.Status == SessionStatus.Generating || s.Status == SessionStatus.Assembling))
            .OrderBy(s => s.ExpiresAt)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }

    public void Add(Session session) => db.Sessions.Add(session);

    public void Remove(Session session) => db.Sessions.Remove(session);

    public async Task SaveChangesAsync(CancellationToken cancellationToken)
    {
        // What this save writes, for the metrics of the command (recorded once its transaction commits).
        var saving = db.ChangeTracker.Entries<Session>()
            .Where(entry => entry.State != EntityState.Deleted)
            .Select(entry => (Created: entry.State == EntityState.Added, Appended: entry.Entity.NewEvents.Where(e => db.Entry(e).State is EntityState.Detached or EntityState.Added).ToArray()))
            .Where(change => change.Created || change.Appended.Length > 0)
            .ToArray();
        try
        {
            await db.SaveSessionsAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException ex)
        {
            throw new ConcurrencyConflictException(ex);
        }

        foreach (var (created, appended) in saving)
        {
            measurements.SessionSaved(created, appended);
        }
    }
}

/// <summary>
/// The reads behind the GET calls, composed of the rows <see cref="ISessionRows"/> reads (by hand on SQLite, by EF Core's
/// compiled queries elsewhere); the rarer event reads are EF Core's on every provider.
/// </summary>
internal sealed class SessionQueries(RuntypeDbContext db, ISessionRows rows) : ISessionQueries
{
    private static readonly CompiledPerModel<Func<RuntypeDbContext, Guid, Guid, string, CancellationToken, Task<SessionEvent?>>> EventById = new(() =>
        EF.CompileAsyncQuery((RuntypeDbContext db, Guid sessionId, Guid eventId, string userId, CancellationToken _) =>
            db.SessionEvents.AsNoTracking().FirstOrDefault(e => e.Id == eventId && e.SessionId == sessionId && e.UserId == userId)));

    public Task<Session?> GetAsync(Guid id, string userId, CancellationToken cancellationToken) =>
        rows.SessionAsync(id, userId, cancellationToken);

    public async Task<(Session Session, IAsyncEnumerable<SessionEvent> Events)?> GetWithEventsAsync(Guid id, string userId, CancellationToken cancellationToken)
    {
        var session = await rows.SessionAsync(id, userId, cancellationToken);
        return session is null ? null : (session, rows.EventsOf(id));
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
            : (await rows.PageAsync(userId, status, now.UtcDateTime, offset, limit, cancellationToken), total);
    }

    /// <summary>
    /// How many of the user's sessions a client sees in <paramref name="status"/> (all of them when null), without
    /// counting the user's rows: the per-status counts the database keeps (<see cref="SessionCount"/>), corrected for
    /// active sessions already past their expiry that the sweeper has not persisted yet (an indexed range, short since
    /// the sweeper runs every minute). Those read as expired, so they move from their stored status to expired.
    /// </summary>
    private async Task<int> CountAsync(string userId, SessionStatus? status, DateTime now, CancellationToken cancellationToken)
    {
        var counts = await rows.CountsAsync(userId, cancellationToken);
        long total = status switch
        {
            null => counts.Values.Sum(),
            SessionStatus.Expired => counts.GetValueOrDefault(SessionStatus.Expired) + await rows.OverdueAsync(userId, null, now, cancellationToken),
            { } terminal when SessionLifecycle.IsTerminal(terminal) => counts.GetValueOrDefault(terminal),
            { } active => counts.GetValueOrDefault(active) - await rows.OverdueAsync(userId, active, now, cancellationToken),
        };
        return (int)Math.Min(total, int.MaxValue);
    }
}
