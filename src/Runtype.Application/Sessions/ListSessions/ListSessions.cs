using Mediator;
using Runtype.Application.Common;
using Runtype.Domain.Sessions;

namespace Runtype.Application.Sessions.ListSessions;

/// <summary>A page of the caller's sessions, newest first (createdAt desc, then id desc), optionally of one status.</summary>
public sealed record ListSessions(Caller Caller, string? Status, int Limit = ListSessions.DefaultLimit, int Offset = 0) : IQuery<SessionPage>
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
}

public sealed class ListSessionsHandler(ISessionQueries queries, TimeProvider clock) : IQueryHandler<ListSessions, SessionPage>
{
    public async ValueTask<SessionPage> Handle(ListSessions query, CancellationToken cancellationToken)
    {
        SessionStatus? status = SessionLifecycle.TryParse(query.Status, out var parsed) ? parsed : null;
        var now = clock.GetUtcNow();
        var (items, total) = await queries.ListAsync(query.Caller.UserId, status, query.Limit, query.Offset, now, cancellationToken);
        return new SessionPage([.. items.Select(s => s.ToDto(now))], new Pagination(query.Limit, query.Offset, total));
    }
}
