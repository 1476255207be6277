using Mediator;
using Runtype.Application.Common;

namespace Runtype.Application.Sessions.GetSessionEvent;

/// <summary>One event of one of the caller's sessions.</summary>
public sealed record GetSessionEvent(Caller Caller, Guid SessionId, Guid EventId) : IQuery<SessionEventDto>;

public sealed class GetSessionEventHandler(ISessionQueries queries) : IQueryHandler<GetSessionEvent, SessionEventDto>
{
    public async ValueTask<SessionEventDto> Handle(GetSessionEvent query, CancellationToken cancellationToken)
    {
        var found = await queries.GetEventAsync(query.SessionId, query.EventId, query.Caller.UserId, cancellationToken)
            ?? throw new NotFoundException("event", query.EventId);
        return found.ToDto();
    }
}
