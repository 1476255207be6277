using Microsoft.EntityFrameworkCore;
using Runtype.Domain.Webhooks;

namespace Runtype.Infrastructure.Persistence;

/// <summary>
/// The provider's way of reading the due deliveries of a claim so that two dispatchers never claim the same one. It
/// runs inside the claim's transaction, which then leases what it read: SQL Server skips and update-locks the rows
/// (<c>READPAST, UPDLOCK</c>); SQLite needs nothing more, the transaction holding the database's write lock (the write
/// turn: <see cref="SqliteWriteGate"/> and <c>BEGIN IMMEDIATE</c>).
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

/// <summary>SQLite: the claim's transaction already holds the write lock, so a plain read cannot race another claim.</summary>
internal sealed class SqliteDeliveryClaims : IDeliveryClaims
{
    public Task<List<WebhookDelivery>> LockDueAsync(RuntypeDbContext db, DateTime now, int limit, IReadOnlyCollection<Guid> excludedEndpoints, CancellationToken cancellationToken) =>
        DueDeliveries.Of(db.WebhookDeliveries, now, limit, excludedEndpoints).ToListAsync(cancellationToken);
}

/// <summary>
/// SQL Server: rows another dispatcher's claim holds are skipped (<c>READPAST</c>) rather than waited for, and the rows
/// read are update-locked until the claim commits (<c>UPDLOCK, ROWLOCK</c>), so no two claims lease the same delivery.
/// </summary>
internal sealed class SqlServerDeliveryClaims : IDeliveryClaims
{
    public Task<List<WebhookDelivery>> LockDueAsync(RuntypeDbContext db, DateTime now, int limit, IReadOnlyCollection<Guid> excludedEndpoints, CancellationToken cancellationToken) =>
        DueDeliveries.Of(db.WebhookDeliveries.FromSql($"SELECT * FROM [webhook_deliveries] WITH (READPAST, UPDLOCK, ROWLOCK)"), now, limit, excludedEndpoints)
            .ToListAsync(cancellationToken);
}
