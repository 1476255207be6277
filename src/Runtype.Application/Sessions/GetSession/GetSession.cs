using Mediator;
using Runtype.Application.Common;

namespace Runtype.Application.Sessions.GetSession;

/// <summary>One of the caller's sessions with its events, oldest first.</summary>
public sealed record GetSession(Caller Caller, Guid Id) : IQuery<Versioned<SessionDetailsDto>>;

public sealed class GetSessionHandler(ISessionQueries queries, TimeProvider clock) : IQueryHandler<GetSession, Versioned<SessionDetailsDto>>
{
    public async ValueTask<Versioned<SessionDetailsDto>> Handle(GetSession query, CancellationToken cancellationToken)
    {
        var (session, events) = await queries.GetWithEventsAsync(query.Id, query.Caller.UserId, cancellationToken)
            ?? throw new NotFoundException("session", query.Id);
        return new Versioned<SessionDetailsDto>(session.ToDetailsDto(events, clock.GetUtcNow()), session.Version);
    }
}
