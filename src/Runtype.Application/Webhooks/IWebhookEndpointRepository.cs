using Runtype.Domain.Webhooks;

namespace Runtype.Application.Webhooks;

/// <summary>Loads and saves webhook endpoints for changes (tracked).</summary>
public interface IWebhookEndpointRepository
{
    /// <summary>The caller's endpoint, tracked for a change; null when missing or someone else's.</summary>
    Task<WebhookEndpoint?> FindAsync(Guid id, string userId, CancellationToken cancellationToken);

    /// <summary>The endpoints with these ids, tracked (the dispatcher records outcomes on them).</summary>
    Task<IReadOnlyList<WebhookEndpoint>> FindManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken);

    void Add(WebhookEndpoint endpoint);

    /// <summary>Removes the endpoint; its deliveries go with it (pending ones are dropped).</summary>
    void Remove(WebhookEndpoint endpoint);

    /// <summary>Saves every tracked change of the unit; throws <see cref="Common.ConcurrencyConflictException"/> on a stale version.</summary>
    Task SaveChangesAsync(CancellationToken cancellationToken);
}

/// <summary>Read-only queries (no tracking) behind the GET calls of webhooks.</summary>
public interface IWebhookQueries
{
    Task<WebhookEndpoint?> GetEndpointAsync(Guid id, string userId, CancellationToken cancellationToken);

    /// <summary>A page of the user's endpoints, newest first (createdAt desc, then id desc), and how many there are.</summary>
    Task<(IReadOnlyList<WebhookEndpoint> Items, int Total)> ListEndpointsAsync(string userId, int limit, int offset, CancellationToken cancellationToken);

    /// <summary>A page of an endpoint's deliveries with their messages' types, newest first, optionally of one status.</summary>
    Task<(IReadOnlyList<(WebhookDelivery Delivery, string EventType)> Items, int Total)> ListDeliveriesAsync(
        Guid endpointId, WebhookDeliveryStatus? status, int limit, int offset, CancellationToken cancellationToken);
}
