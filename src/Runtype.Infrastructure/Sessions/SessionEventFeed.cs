using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Application.Sessions.StreamSessionEvents;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Infrastructure.Sessions;

/// <summary>
/// The polls of the live streams. Each call opens its own scope, so its own context and connection, and releases
/// both before it returns: a stream that waits between polls holds nothing of the database.
/// </summary>
internal sealed class SessionEventFeed(IServiceScopeFactory scopes) : ISessionEventFeed
{
    public async Task<SessionEventBatch?> ReadAsync(Guid sessionId, string userId, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RuntypeDbContext>();

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

        var events = await SessionEventReads.After(db, sessionId, afterSequence, limit).ToListAsync(cancellationToken);
        return new SessionEventBatch(session.Status, session.ExpiresAt, events);
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
