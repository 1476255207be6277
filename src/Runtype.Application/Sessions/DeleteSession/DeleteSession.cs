using Mediator;
using Runtype.Application.Common;
using Runtype.Application.Webhooks;

namespace Runtype.Application.Sessions.DeleteSession;

/// <summary>
/// Deletes one of the caller's sessions and its events, whatever its status. <see cref="IfMatch"/> holds the versions
/// an <c>If-Match</c> header accepts (null: no precondition), as for an update.
/// </summary>
public sealed record DeleteSession(Caller Caller, Guid Id, IReadOnlyCollection<long>? IfMatch = null) : ICommand;

public sealed class DeleteSessionHandler(ISessionRepository sessions, SessionWebhooks webhooks, TimeProvider clock) : ICommandHandler<DeleteSession>
{
    public async ValueTask<Unit> Handle(DeleteSession command, CancellationToken cancellationToken)
    {
        var session = await sessions.FindAsync(command.Id, command.Caller.UserId, cancellationToken)
            ?? throw new NotFoundException("session", command.Id);
        PreconditionFailedException.ThrowUnlessMatched(command.IfMatch, session.Version);
        sessions.Remove(session);
        await webhooks.DeletedAsync(session, clock.GetUtcNow(), cancellationToken);
        await sessions.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}
