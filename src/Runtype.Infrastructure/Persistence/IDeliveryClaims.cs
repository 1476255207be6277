using Microsoft.EntityFrameworkCore;
using Runtype.Domain.Webhooks;

namespace Runtype.Infrastructure.Persistence;

/// <summary>
/// The provider's way of reading the due deliveries of a claim so that two dispatchers never claim the same one. It
/// runs inside the claim's transaction, which then leases what it read. One implementation in each provider's folder:
/// PostgreSQL locks the rows and skips those another claim holds (<c>FOR UPDATE SKIP LOCKED</c>), SQL Server likewise
/// (<c>READPAST, UPDLOCK</c>), SQLite needs nothing more (the transaction already holds the database's write lock: the
/// write turn).
/// </summary>
internal interface IDeliveryClaims
{
    /// <summary>Up to <paramref name="limit"/> pending deliveries due at <paramref name="now"/>, oldest due first, none to <paramref name="excludedEndpoints"/>; tracked.</summary>
    Task<List<WebhookDelivery>> LockDueAsync(RuntypeDbContext db, DateTime now, int limit, IReadOnlyCollection<Guid> excludedEndpoints, CancellationToken cancellationToken);
}

/// <summary>The due deliveries, as every provider filters and orders them.</summary>
internal static class DueDeliveries
{
    public static IQueryable<WebhookDelivery> Of(IQueryable<WebhookDelivery> deliveries, DateTime now, int limit, IReadOnlyCollection<Guid> excludedEndpoints)
    {
        var due = deliveries.Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now);
        if (excludedEndpoints.Count > 0)
        {
            due = due.Where(d => !excludedEndpoints.Contains(d.EndpointId));
        }

        return due.OrderBy(d => d.NextAttemptAt).Take(limit);
    }
}
