using Runtype.Domain.Webhooks;

namespace Runtype.Application.Webhooks;

/// <summary>The outbox: messages and their deliveries, written with the change that caused them, and claimed by the dispatchers.</summary>
public interface IWebhookDeliveryRepository
{
    /// <summary>The user's enabled endpoints (their ids and subscribed types), read inside the writing transaction.</summary>
    Task<IReadOnlyList<WebhookSubscriber>> SubscribersAsync(string userId, CancellationToken cancellationToken);

    void Add(WebhookMessage message);

    void Add(WebhookDelivery delivery);

    /// <summary>One of the endpoint's deliveries with its message's type, tracked for a change; null when there is none.</summary>
    Task<(WebhookDelivery Delivery, string EventType)?> FindAsync(Guid endpointId, Guid deliveryId, CancellationToken cancellationToken);

    /// <summary>Whether a pending delivery is due at <paramref name="now"/> to an endpoint not in <paramref name="excludedEndpoints"/>: a read, no lock.</summary>
    Task<bool> AnyDueAsync(DateTime now, IReadOnlyCollection<Guid> excludedEndpoints, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> pending deliveries due at <paramref name="now"/> (their lease, if any, run out), oldest
    /// due first, none to <paramref name="excludedEndpoints"/>, tracked and locked the database's way so that no other
    /// dispatcher claims them in the same moment.
    /// </summary>
    Task<IReadOnlyList<WebhookDelivery>> ClaimDueAsync(DateTime now, int limit, IReadOnlyCollection<Guid> excludedEndpoints, CancellationToken cancellationToken);

    /// <summary>The deliveries with these ids, tracked (missing ones, deleted with their endpoint, are left out).</summary>
    Task<IReadOnlyList<WebhookDelivery>> FindManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken);

    /// <summary>The messages with these ids, not tracked.</summary>
    Task<IReadOnlyList<WebhookMessage>> MessagesAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken);

    /// <summary>Fails every pending delivery of a disabled endpoint (its leases end too); returns how many.</summary>
    Task<int> AbandonPendingAsync(Guid endpointId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes up to <paramref name="limit"/> succeeded or failed deliveries created before <paramref name="createdBefore"/>,
    /// then the messages of that age no delivery refers to; returns how many deliveries.
    /// </summary>
    Task<int> PurgeAsync(DateTime createdBefore, int limit, CancellationToken cancellationToken);

    Task SaveChangesAsync(CancellationToken cancellationToken);
}

/// <summary>An enabled endpoint as the outbox sees it: where a message of a type it subscribes to gets a delivery.</summary>
public sealed record WebhookSubscriber(Guid EndpointId, string EventTypes)
{
    public bool Subscribes(string eventType) => WebhookEventTypes.Includes(EventTypes, eventType);
}
