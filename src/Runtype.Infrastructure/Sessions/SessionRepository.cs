using Microsoft.EntityFrameworkCore;
using Runtype.Application.Common;
using Runtype.Application.Common.Telemetry;
using Runtype.Application.Sessions;
using Runtype.Domain.Common;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Infrastructure.Sessions;

/// <summary>
/// Loads sessions for a change (tracked) and saves them with EF Core, on every provider. The read for a change runs
/// inside the write transaction; a provider whose transactions do not already serialize writers overrides
/// <see cref="FindAsync"/> to take the row's lock, so that writers of one session queue instead of conflicting.
/// Every session it saves is recorded in <see cref="ChangedSessions"/> (its streams are woken once the command commits),
/// and a deletion leaves a <see cref="SessionDeletion"/> in the same transaction (for the streams of other processes).
/// </summary>
internal class SessionRepository(RuntypeDbContext db, ChangedSessions changed, TimeProvider clock, PendingMeasurements measurements) : ISessionRepository
{
    private static readonly CompiledPerModel<Func<RuntypeDbContext, Guid, string, CancellationToken, Task<Session?>>> ById = new(() =>
        EF.CompileAsyncQuery((RuntypeDbContext db, Guid id, string userId, CancellationToken _) =>
            db.Sessions.FirstOrDefault(s => s.Id == id && s.UserId == userId)));

    protected RuntypeDbContext Db => db;

    public virtual Task<Session?> FindAsync(Guid id, string userId, CancellationToken cancellationToken) =>
        ById.For(db)(db, id, userId, cancellationToken);

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

    /// <summary>
    /// Saves the unit: the tracked sessions, the events appended to them (added to the context here) and anything else
    /// tracked with them. A session changed or deleted since it was read is a <see cref="ConcurrencyConflictException"/>.
    /// </summary>
    public async Task SaveChangesAsync(CancellationToken cancellationToken)
    {
        // The events appended to the tracked sessions join the unit; each session saved is recorded for the streams (woken
        // once the command commits), a deletion leaves its mark; what the save writes is kept for the command's metrics
        // (recorded once its transaction commits).
        var saving = new List<(bool Created, SessionEvent[] Appended)>();
        foreach (var entry in db.ChangeTracker.Entries<Session>().ToArray())
        {
            var session = entry.Entity;
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                changed.Record(new SessionChanged(session.Id, session.UserId, session.Version, session.UpdatedAt, Deleted: false));
            }
            else if (entry.State == EntityState.Deleted)
            {
                var deletedAt = UtcTimestamp.From(clock.GetUtcNow());
                db.SessionDeletions.Add(new SessionDeletion(session.Id, session.UserId, deletedAt));
                changed.Record(new SessionChanged(session.Id, session.UserId, 0, deletedAt, Deleted: true));
            }

            var appended = session.NewEvents.Where(e => db.Entry(e).State == EntityState.Detached).ToArray();
            db.SessionEvents.AddRange(appended);
            if (entry.State == EntityState.Added || (entry.State != EntityState.Deleted && appended.Length > 0))
            {
                saving.Add((entry.State == EntityState.Added, appended));
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
        catch (DbUpdateException ex) when (ex.Entries.Any(e => e.Entity is SessionEvent))
        {
            // An event took a place another writer's event already has (ux_session_events_session_sequence): the session
            // changed since it was read without a lock (the sweeper's read of due sessions, in two replicas at once). The
            // database may report the duplicate before the version check of the same batch: the same conflict.
            throw new ConcurrencyConflictException(ex);
        }

        foreach (var (created, appended) in saving)
        {
            measurements.SessionSaved(created, appended);
        }
    }
}
