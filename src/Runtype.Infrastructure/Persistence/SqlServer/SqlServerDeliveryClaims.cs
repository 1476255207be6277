using Microsoft.EntityFrameworkCore;
using Runtype.Domain.Webhooks;

namespace Runtype.Infrastructure.Persistence.SqlServer;

/// <summary>
/// SQL Server: rows another claim holds are skipped (<c>READPAST</c>) rather than waited for, and the rows read are
/// update-locked until this claim commits (<c>UPDLOCK, ROWLOCK</c>), so no two claims lease the same delivery.
/// </summary>
internal sealed class SqlServerDeliveryClaims : IDeliveryClaims
{
    public Task<List<WebhookDelivery>> LockDueAsync(RuntypeDbContext db, DateTime now, int limit, IReadOnlyCollection<Guid> excludedEndpoints, CancellationToken cancellationToken) =>
        DueDeliveries.Of(db.WebhookDeliveries.FromSql($"SELECT * FROM [webhook_deliveries] WITH (READPAST, UPDLOCK, ROWLOCK)"), now, limit, excludedEndpoints)
            .ToListAsync(cancellationToken);
}
