using Mediator;

namespace Runtype.Application.Webhooks.PurgeWebhookDeliveries;

/// <summary>
/// Deletes up to <see cref="BatchSize"/> succeeded and failed deliveries older than the retention period, and the
/// messages no delivery refers to any more; returns how many deliveries.
/// </summary>
public sealed record PurgeWebhookDeliveries(int BatchSize) : ICommand<int>;

public sealed class PurgeWebhookDeliveriesHandler(IWebhookDeliveryRepository deliveries, WebhookSettings settings, TimeProvider clock)
    : ICommandHandler<PurgeWebhookDeliveries, int>
{
    public async ValueTask<int> Handle(PurgeWebhookDeliveries command, CancellationToken cancellationToken) =>
        await deliveries.PurgeAsync(clock.GetUtcNow().UtcDateTime - settings.Retention, command.BatchSize, cancellationToken);
}
