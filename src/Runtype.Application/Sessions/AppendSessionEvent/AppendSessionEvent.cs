using System.Text.Json;
using Mediator;
using Runtype.Application.Common;
using Runtype.Application.Common.Idempotency;
using Runtype.Application.Webhooks;

namespace Runtype.Application.Sessions.AppendSessionEvent;

/// <summary>Appends an event to one of the caller's sessions; bumps the session's updatedAt.</summary>
public sealed record AppendSessionEvent(
    Caller Caller, Guid SessionId, string? Type, string? Stage, string? Message, JsonElement? Payload, string? IdempotencyKey = null)
    : ICommand<SessionEventDto>, IIdempotentCommand;

public sealed class AppendSessionEventHandler(ISessionRepository sessions, SessionWebhooks webhooks, TimeProvider clock)
    : ICommandHandler<AppendSessionEvent, SessionEventDto>
{
    public async ValueTask<SessionEventDto> Handle(AppendSessionEvent command, CancellationToken cancellationToken)
    {
        var session = await sessions.FindAsync(command.SessionId, command.Caller.UserId, cancellationToken)
            ?? throw new NotFoundException("session", command.SessionId);
        var now = clock.GetUtcNow();
        var appended = session.AppendEvent(command.Type!, command.Stage, command.Message, JsonObjects.ToText(command.Payload), now);
        await webhooks.ChangedAsync(session, now, cancellationToken);
        await sessions.SaveChangesAsync(cancellationToken);
        return appended.ToDto();
    }
}
