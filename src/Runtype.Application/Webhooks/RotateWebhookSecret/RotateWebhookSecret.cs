using Mediator;
using Runtype.Application.Common;
using Runtype.Application.Common.Idempotency;

namespace Runtype.Application.Webhooks.RotateWebhookSecret;

/// <summary>A new signing secret for an endpoint; the previous one keeps signing beside it for 24 hours.</summary>
public sealed record RotateWebhookSecret(Caller Caller, Guid Id, string? IdempotencyKey = null) : ICommand<WebhookSecretDto>, IIdempotentCommand;

public sealed class RotateWebhookSecretHandler(IWebhookEndpointRepository endpoints, TimeProvider clock)
    : ICommandHandler<RotateWebhookSecret, WebhookSecretDto>
{
    public async ValueTask<WebhookSecretDto> Handle(RotateWebhookSecret command, CancellationToken cancellationToken)
    {
        var endpoint = await endpoints.FindAsync(command.Id, command.Caller.UserId, cancellationToken)
            ?? throw new NotFoundException("webhook endpoint", command.Id);
        var secret = endpoint.RotateSecret(clock.GetUtcNow());
        await endpoints.SaveChangesAsync(cancellationToken);
        return new WebhookSecretDto(secret);
    }
}
