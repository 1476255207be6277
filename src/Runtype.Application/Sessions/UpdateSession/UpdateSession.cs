using System.Text.Json;
using Mediator;
using Runtype.Application.Common;
using Runtype.Application.Webhooks;
using Runtype.Domain.Common;
using Runtype.Domain.Sessions;

namespace Runtype.Application.Sessions.UpdateSession;

/// <summary>
/// Changes a session. An absent field is left alone; a present null clears it. <see cref="ProductObjectHash"/> is a
/// check against the server's hash. <see cref="IfMatch"/> holds the versions an <c>If-Match</c> header accepts
/// (null: no precondition).
/// </summary>
public sealed record UpdateSession(
    Caller Caller,
    Guid Id,
    Optional<string?> Status = default,
    Optional<JsonElement?> Prd = default,
    Optional<JsonElement?> Plan = default,
    Optional<JsonElement?> ProductObject = default,
    Optional<string?> ProductObjectHash = default,
    Optional<JsonElement?> AssemblyState = default,
    IReadOnlyCollection<long>? IfMatch = null) : ICommand<Versioned<SessionDto>>
{
    public bool HasAnyField =>
        Status.HasValue || Prd.HasValue || Plan.HasValue || ProductObject.HasValue || ProductObjectHash.HasValue || AssemblyState.HasValue;
}

public sealed class UpdateSessionHandler(ISessionRepository sessions, SessionWebhooks webhooks, TimeProvider clock) : ICommandHandler<UpdateSession, Versioned<SessionDto>>
{
    public async ValueTask<Versioned<SessionDto>> Handle(UpdateSession command, CancellationToken cancellationToken)
    {
        var session = await sessions.FindAsync(command.Id, command.Caller.UserId, cancellationToken)
            ?? throw new NotFoundException("session", command.Id);
        PreconditionFailedException.ThrowUnlessMatched(command.IfMatch, session.Version);

        var now = clock.GetUtcNow();
        session.Update(
            new SessionUpdate(
                Status: command.Status.HasValue && SessionLifecycle.TryParse(command.Status.Value, out var status) ? status : default(Optional<SessionStatus>),
                Prd: Text(command.Prd),
                Plan: Text(command.Plan),
                ProductObject: Text(command.ProductObject),
                ProductObjectHash: command.ProductObjectHash,
                AssemblyState: Text(command.AssemblyState)),
            now);
        await webhooks.ChangedAsync(session, now, cancellationToken);
        await sessions.SaveChangesAsync(cancellationToken);
        return new Versioned<SessionDto>(session.ToDto(now), session.Version);
    }

    private static Optional<string?> Text(Optional<JsonElement?> value) =>
        value.HasValue ? JsonObjects.ToText(value.Value) : default(Optional<string?>);
}
