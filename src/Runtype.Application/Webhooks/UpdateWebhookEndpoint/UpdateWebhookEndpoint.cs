using Mediator;
using Runtype.Application.Common;
using Runtype.Domain.Common;
using Runtype.Domain.Webhooks;

namespace Runtype.Application.Webhooks.UpdateWebhookEndpoint;

/// <summary>
/// Changes an endpoint: url, eventTypes (null: all types), description (null clears it), enabled. Enabling a disabled
/// endpoint clears its failure state; disabling one fails its pending deliveries.
/// </summary>
public sealed record UpdateWebhookEndpoint(
    Caller Caller,
    Guid Id,
    Optional<string?> Url = default,
    Optional<IReadOnlyList<string>?> EventTypes = default,
    Optional<string?> Description = default,
    Optional<bool?> Enabled = default) : ICommand<WebhookEndpointDto>
{
    public bool HasAnyField => Url.HasValue || EventTypes.HasValue || Description.HasValue || Enabled.HasValue;
}

public sealed class UpdateWebhookEndpointHandler(
    IWebhookEndpointRepository endpoints, IWebhookDeliveryRepository deliveries, TimeProvider clock)
    : ICommandHandler<UpdateWebhookEndpoint, WebhookEndpointDto>
{
    public async ValueTask<WebhookEndpointDto> Handle(UpdateWebhookEndpoint command, CancellationToken cancellationToken)
    {
        var endpoint = await endpoints.FindAsync(command.Id, command.Caller.UserId, cancellationToken)
            ?? throw new NotFoundException("webhook endpoint", command.Id);
        var disabled = endpoint.Update(
            new WebhookEndpointUpdate(
                command.Url.HasValue ? command.Url.Value! : default(Optional<string>),
                command.EventTypes,
                command.Description,
                command.Enabled.HasValue ? command.Enabled.Value!.Value : default(Optional<bool>)),
            clock.GetUtcNow());
        await endpoints.SaveChangesAsync(cancellationToken);
        if (disabled)
        {
            await deliveries.AbandonPendingAsync(endpoint.Id, cancellationToken);
        }

        return endpoint.ToDto();
    }
}
