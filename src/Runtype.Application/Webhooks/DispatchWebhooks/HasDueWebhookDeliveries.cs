using Mediator;

namespace Runtype.Application.Webhooks.DispatchWebhooks;

/// <summary>
/// Whether a delivery is due to an endpoint not in <see cref="ExcludedEndpoints"/>: the dispatcher's cheap look before a
/// claim, outside any transaction (an idle dispatcher then takes no write lock: on SQLite a claim is a write turn).
/// </summary>
public sealed record HasDueWebhookDeliveries(IReadOnlyCollection<Guid> ExcludedEndpoints) : IQuery<bool>;

public sealed class HasDueWebhookDeliveriesHandler(IWebhookDeliveryRepository deliveries, TimeProvider clock) : IQueryHandler<HasDueWebhookDeliveries, bool>
{
    public async ValueTask<bool> Handle(HasDueWebhookDeliveries query, CancellationToken cancellationToken) =>
        await deliveries.AnyDueAsync(clock.GetUtcNow().UtcDateTime, query.ExcludedEndpoints, cancellationToken);
}
