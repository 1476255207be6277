using Microsoft.EntityFrameworkCore;
using Runtype.Application.Common;
using Runtype.Application.Webhooks;
using Runtype.Domain.Webhooks;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Infrastructure.Webhooks;

internal sealed class WebhookEndpointRepository(RuntypeDbContext db) : IWebhookEndpointRepository
{
    public Task<WebhookEndpoint?> FindAsync(Guid id, string userId, CancellationToken cancellationToken) =>
        db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id && e.UserId == userId, cancellationToken);

    public async Task<IReadOnlyList<WebhookEndpoint>> FindManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken) =>
        await db.WebhookEndpoints.Where(e => ids.Contains(e.Id)).ToListAsync(cancellationToken);

    public void Add(WebhookEndpoint endpoint) => db.WebhookEndpoints.Add(endpoint);

    // The deliveries go with it: ON DELETE CASCADE.
    public void Remove(WebhookEndpoint endpoint) => db.WebhookEndpoints.Remove(endpoint);

    public Task SaveChangesAsync(CancellationToken cancellationToken) => WebhookSaves.SaveAsync(db, cancellationToken);
}

internal sealed class WebhookQueries(RuntypeDbContext db) : IWebhookQueries
{
    public Task<WebhookEndpoint?> GetEndpointAsync(Guid id, string userId, CancellationToken cancellationToken) =>
        db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id && e.UserId == userId, cancellationToken);

    public async Task<(IReadOnlyList<WebhookEndpoint> Items, int Total)> ListEndpointsAsync(string userId, int limit, int offset, CancellationToken cancellationToken)
    {
        var owned = db.WebhookEndpoints.AsNoTracking().Where(e => e.UserId == userId);
        var total = await owned.CountAsync(cancellationToken);
        var items = total <= offset
            ? []
            : await owned.OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id).Skip(offset).Take(limit).ToListAsync(cancellationToken);
        return (items, total);
    }

    public async Task<(IReadOnlyList<(WebhookDelivery Delivery, string EventType)> Items, int Total)> ListDeliveriesAsync(
        Guid endpointId, WebhookDeliveryStatus? status, int limit, int offset, CancellationToken cancellationToken)
    {
        var log = db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == endpointId);
        if (status is { } wanted)
        {
            log = log.Where(d => d.Status == wanted);
        }

        var total = await log.CountAsync(cancellationToken);
        if (total <= offset)
        {
            return ([], total);
        }

        var page = await log.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Skip(offset).Take(limit)
            .Join(db.WebhookMessages, d => d.MessageId, m => m.Id, (d, m) => new { Delivery = d, m.EventType })
            .ToListAsync(cancellationToken);

        // The join may reorder the page: put it back in the log's order.
        return ([.. page.OrderByDescending(p => p.Delivery.CreatedAt).ThenByDescending(p => p.Delivery.Id).Select(p => (p.Delivery, p.EventType))], total);
    }
}

internal sealed class WebhookDeliveryRepository(RuntypeDbContext db, IDeliveryClaims claims) : IWebhookDeliveryRepository
{
    private static readonly CompiledPerModel<Func<RuntypeDbContext, string, IAsyncEnumerable<WebhookSubscriber>>> EnabledEndpointsOf = new(() =>
        EF.CompileAsyncQuery((RuntypeDbContext db, string userId) =>
            db.WebhookEndpoints.AsNoTracking().Where(e => e.UserId == userId && e.Enabled).Select(e => new WebhookSubscriber(e.Id, e.EventTypes))));

    public async Task<IReadOnlyList<WebhookSubscriber>> SubscribersAsync(string userId, CancellationToken cancellationToken)
    {
        var found = new List<WebhookSubscriber>();
        await foreach (var subscriber in EnabledEndpointsOf.For(db)(db, userId).WithCancellation(cancellationToken))
        {
            found.Add(subscriber);
        }

        return found;
    }

    public void Add(WebhookMessage message) => db.WebhookMessages.Add(message);

    public void Add(WebhookDelivery delivery) => db.WebhookDeliveries.Add(delivery);

    public async Task<(WebhookDelivery Delivery, string EventType)?> FindAsync(Guid endpointId, Guid deliveryId, CancellationToken cancellationToken)
    {
        var found = await db.WebhookDeliveries.Where(d => d.Id == deliveryId && d.EndpointId == endpointId)
            .Join(db.WebhookMessages, d => d.MessageId, m => m.Id, (d, m) => new { Delivery = d, m.EventType })
            .FirstOrDefaultAsync(cancellationToken);
        return found is null ? null : (found.Delivery, found.EventType);
    }

    public Task<bool> AnyDueAsync(DateTime now, IReadOnlyCollection<Guid> excludedEndpoints, CancellationToken cancellationToken) =>
        DueDeliveries.Of(db.WebhookDeliveries.AsNoTracking(), now, 1, excludedEndpoints).AnyAsync(cancellationToken);

    public async Task<IReadOnlyList<WebhookDelivery>> ClaimDueAsync(DateTime now, int limit, IReadOnlyCollection<Guid> excludedEndpoints, CancellationToken cancellationToken) =>
        await claims.LockDueAsync(db, now, limit, excludedEndpoints, cancellationToken);

    public async Task<IReadOnlyList<WebhookDelivery>> FindManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken) =>
        await db.WebhookDeliveries.Where(d => ids.Contains(d.Id)).ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<WebhookMessage>> MessagesAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken) =>
        await db.WebhookMessages.AsNoTracking().Where(m => ids.Contains(m.Id)).ToListAsync(cancellationToken);

    public Task<int> AbandonPendingAsync(Guid endpointId, CancellationToken cancellationToken) =>
        db.WebhookDeliveries
            .Where(d => d.EndpointId == endpointId && d.Status == WebhookDeliveryStatus.Pending)
            .ExecuteUpdateAsync(
                set => set.SetProperty(d => d.Status, WebhookDeliveryStatus.Failed)
                    .SetProperty(d => d.NextAttemptAt, (DateTime?)null)
                    .SetProperty(d => d.LeaseToken, (Guid?)null),
                cancellationToken);

    public async Task<int> PurgeAsync(DateTime createdBefore, int limit, CancellationToken cancellationToken)
    {
        var done = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.CreatedAt < createdBefore && d.Status != WebhookDeliveryStatus.Pending)
            .OrderBy(d => d.CreatedAt)
            .Take(limit)
            .Select(d => d.Id)
            .ToListAsync(cancellationToken);
        var purged = done.Count == 0 ? 0 : await db.WebhookDeliveries.Where(d => done.Contains(d.Id)).ExecuteDeleteAsync(cancellationToken);

        var orphans = await db.WebhookMessages.AsNoTracking()
            .Where(m => m.CreatedAt < createdBefore && !db.WebhookDeliveries.Any(d => d.MessageId == m.Id))
            .OrderBy(m => m.CreatedAt)
            .Take(limit)
            .Select(m => m.Id)
            .ToListAsync(cancellationToken);
        if (orphans.Count > 0)
        {
            await db.WebhookMessages.Where(m => orphans.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken);
        }

        return purged;
    }

    public Task SaveChangesAsync(CancellationToken cancellationToken) => WebhookSaves.SaveAsync(db, cancellationToken);
}

internal static class WebhookSaves
{
    /// <summary>Saves the unit; a stale version or lease (another process changed the row first) reruns it on fresh state.</summary>
    public static async Task SaveAsync(RuntypeDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException ex)
        {
            throw new ConcurrencyConflictException(ex);
        }
    }
}
