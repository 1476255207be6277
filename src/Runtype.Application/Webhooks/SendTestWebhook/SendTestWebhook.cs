using Mediator;
using Runtype.Application.Common;
using Runtype.Application.Common.Idempotency;
using Runtype.Domain.Webhooks;

namespace Runtype.Application.Webhooks.SendTestWebhook;

/// <summary>Sends a <c>webhook.test</c> message to one of the caller's endpoints now, whatever types it subscribes to.</summary>
public sealed record SendTestWebhook(Caller Caller, Guid Id, string? IdempotencyKey = null) : ICommand<WebhookDeliveryDto>, IIdempotentCommand;

public sealed class SendTestWebhookHandler(IWebhookEndpointRepository endpoints, WebhookOutbox outbox, TimeProvider clock)
    : ICommandHandler<SendTestWebhook, WebhookDeliveryDto>
{
    public async ValueTask<WebhookDeliveryDto> Handle(SendTestWebhook command, CancellationToken cancellationToken)
    {
        var endpoint = await endpoints.FindAsync(command.Id, command.Caller.UserId, cancellationToken)
            ?? throw new NotFoundException("webhook endpoint", command.Id);
        var delivery = outbox.SendNow(endpoint, WebhookEventTypes.Test, new WebhookTestData(endpoint.Id), clock.GetUtcNow());
        await endpoints.SaveChangesAsync(cancellationToken);
        return delivery.ToDto(WebhookEventTypes.Test);
    }
}
