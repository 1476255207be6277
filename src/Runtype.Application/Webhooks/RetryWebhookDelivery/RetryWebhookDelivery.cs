using Mediator;
using Runtype.Application.Common;
using Runtype.Application.Common.Idempotency;

namespace Runtype.Application.Webhooks.RetryWebhookDelivery;

/// <summary>A new attempt of one of an endpoint's deliveries now, whatever its status (a failed one too).</summary>
public sealed record RetryWebhookDelivery(Caller Caller, Guid EndpointId, Guid DeliveryId, string? IdempotencyKey = null)
    : ICommand<WebhookDeliveryDto>, IIdempotentCommand;

public sealed class RetryWebhookDeliveryHandler(
    IWebhookEndpointRepository endpoints, IWebhookDeliveryRepository deliveries, WebhookDispatchRequest dispatch, TimeProvider clock)
    : ICommandHandler<RetryWebhookDelivery, WebhookDeliveryDto>
{
    public async ValueTask<WebhookDeliveryDto> Handle(RetryWebhookDelivery command, CancellationToken cancellationToken)
    {
        _ = await endpoints.FindAsync(command.EndpointId, command.Caller.UserId, cancellationToken)
            ?? throw new NotFoundException("webhook endpoint", command.EndpointId);
        var (delivery, eventType) = await deliveries.FindAsync(command.EndpointId, command.DeliveryId, cancellationToken)
            ?? throw new NotFoundException("webhook delivery", command.DeliveryId);
        delivery.Retry(clock.GetUtcNow());
        await deliveries.SaveChangesAsync(cancellationToken);
        dispatch.Request();
        return delivery.ToDto(eventType);
    }
}
