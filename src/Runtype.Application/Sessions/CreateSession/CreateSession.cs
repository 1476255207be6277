using System.Text.Json;
using Mediator;
using Runtype.Application.Common;
using Runtype.Application.Common.Idempotency;
using Runtype.Application.Webhooks;
using Runtype.Domain.Sessions;

namespace Runtype.Application.Sessions.CreateSession;

/// <summary>Starts a session in status <c>intake</c> for the caller.</summary>
public sealed record CreateSession(Caller Caller, string? CatalogVersion, string? SchemaVersion, JsonElement? Prd, string? IdempotencyKey = null)
    : ICommand<Versioned<SessionDto>>, IIdempotentCommand;

public sealed class CreateSessionHandler(ISessionRepository sessions, SessionWebhooks webhooks, SessionSettings settings, TimeProvider clock)
    : ICommandHandler<CreateSession, Versioned<SessionDto>>
{
    public async ValueTask<Versioned<SessionDto>> Handle(CreateSession command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var session = Session.Start(
            command.Caller.UserId,
            command.Caller.OrganizationId,
            command.CatalogVersion,
            command.SchemaVersion,
            JsonObjects.ToText(command.Prd),
            now,
            settings.TimeToLive);
        sessions.Add(session);
        await webhooks.CreatedAsync(session, now, cancellationToken);
        await sessions.SaveChangesAsync(cancellationToken);
        return new Versioned<SessionDto>(session.ToDto(now), session.Version);
    }
}
