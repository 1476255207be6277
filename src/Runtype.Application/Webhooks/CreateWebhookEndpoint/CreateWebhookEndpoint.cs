using Mediator;
using Runtype.Application.Common;
using Runtype.Application.Common.Idempotency;
using Runtype.Domain.Webhooks;

namespace Runtype.Application.Webhooks.CreateWebhookEndpoint;

/// <summary>Registers an endpoint for the caller's webhook messages; the answer carries its secret, shown this once.</summary>
public sealed record CreateWebhookEndpoint(
    Caller Caller, string? Url, IReadOnlyList<string>? EventTypes, string? Description, string? IdempotencyKey = null)
    : ICommand<CreatedWebhookEndpointDto>, IIdempotentCommand;

public sealed class CreateWebhookEndpointHandler(IWebhookEndpointRepository endpoints, TimeProvider clock)
    : ICommandHandler<CreateWebhookEndpoint, CreatedWebhookEndpointDto>
{
    public async ValueTask<CreatedWebhookEndpointDto> Handle(CreateWebhookEndpoint command, CancellationToken cancellationToken)
    {
        var endpoint = WebhookEndpoint.Create(command.Caller.UserId, command.Url!, command.EventTypes, command.Description, clock.GetUtcNow());
        endpoints.Add(endpoint);
        await endpoints.SaveChangesAsync(cancellationToken);
        return endpoint.ToCreatedDto();
    }
}
