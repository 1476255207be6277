using Mediator;

namespace Runtype.Application.Webhooks.DispatchWebhooks;

/// <summary>
/// Whether a delivery is due to an endpoint below its cap (<see cref="WebhookSettings.MaxConcurrencyPerEndpoint"/>, given
/// the attempts this process has in flight to each, <see cref="InFlightPerEndpoint"/>): the dispatcher's cheap look before
/// a claim, outside any transaction (an idle dispatcher then takes no write lock: on SQLite a claim is a write turn).
/// </summary>
public sealed record HasDueWebhookDeliveries(IReadOnlyDictionary<Guid, int> InFlightPerEndpoint) : IQuery<bool>;

public sealed class HasDueWebhookDeliveriesHandler(IWebhookDeliveryRepository deliveries, WebhookSettings settings, TimeProvider clock)
    : IQueryHandler<HasDueWebhookDeliveries, bool>
{
    public async ValueTask<bool> Handle(HasDueWebhookDeliveries query, CancellationToken cancellationToken) =>
        await deliveries.AnyDueAsync(clock.GetUtcNow().UtcDateTime, settings.Saturated(query.InFlightPerEndpoint), cancellationToken);
}
