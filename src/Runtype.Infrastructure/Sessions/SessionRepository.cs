using Microsoft.EntityFrameworkCore;
using Runtype.Application.Common;
using Runtype.Application.Sessions;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Infrastructure.Sessions;

internal sealed class SessionRepository(RuntypeDbContext db) : ISessionRepository
{
    public Task<Session?> FindAsync(Guid id, string userId, CancellationToken cancellationToken) =>
        db.SessionForUpdate(id, userId).FirstOrDefaultAsync(cancellationToken);

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
        foreach (var entry in db.ChangeTracker.Entries<Session>())
        {
            foreach (var appended in entry.Entity.NewEvents)
            {
                if (db.Entry(appended).State == EntityState.Detached)
                {
                    db.SessionEvents.Add(appended);
                }
            }
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException ex)
        {
            throw new ConcurrencyConflictException(ex);
        }
    }
}

internal sealed class SessionQueries(RuntypeDbContext db) : ISessionQueries
{
    public Task<Session?> GetAsync(Guid id, string userId, CancellationToken cancellationToken) =>
        db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id && s.UserId == userId, cancellationToken);

    public async Task<IReadOnlyList<SessionEvent>> GetEventsAsync(Guid sessionId, CancellationToken cancellationToken) =>
        await db.SessionEvents.AsNoTracking()
            .Where(e => e.SessionId == sessionId)
            .OrderBy(e => e.Sequence)
            .ToListAsync(cancellationToken);

    public Task<SessionEvent?> GetEventAsync(Guid sessionId, Guid eventId, string userId, CancellationToken cancellationToken) =>
        db.SessionEvents.AsNoTracking()
            .FirstOrDefaultAsync(e => e.Id == eventId && e.SessionId == sessionId && e.UserId == userId, cancellationToken);

    public async Task<(IReadOnlyList<Session> Items, int Total)> ListAsync(
        string userId, SessionStatus? status, int limit, int offset, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var query = db.Sessions.AsNoTracking().Where(s => s.UserId == userId);
        if (status is { } wanted)
        {
            query = WithStatus(query, wanted, now.UtcDateTime);
        }

        var total = await query.CountAsync(cancellationToken);
        var items = total <= offset
            ? []
            : await query
                .OrderByDescending(s => s.CreatedAt)
                .ThenByDescending(s => s.Id)
                .Skip(offset)
                .Take(limit)
                .ToListAsync(cancellationToken);
        return (items, total);
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
