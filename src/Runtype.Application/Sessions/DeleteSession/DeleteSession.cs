using Mediator;
using Runtype.Application.Common;

namespace Runtype.Application.Sessions.DeleteSession;

/// <summary>Deletes one of the caller's sessions and its events, whatever its status.</summary>
public sealed record DeleteSession(Caller Caller, Guid Id) : ICommand;

public sealed class DeleteSessionHandler(ISessionRepository sessions) : ICommandHandler<DeleteSession>
{
    public async ValueTask<Unit> Handle(DeleteSession command, CancellationToken cancellationToken)
    {
        var session = await sessions.FindAsync(command.Id, command.Caller.UserId, cancellationToken)
            ?? throw new NotFoundException("session", command.Id);
        sessions.Remove(session);
        await sessions.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}
