using Microsoft.EntityFrameworkCore;
using Runtype.Domain.Webhooks;

namespace Runtype.Infrastructure.Persistence.PostgreSql;

/// <summary>
/// PostgreSQL: the due rows are locked until this claim commits, and rows another claim has locked are skipped, not
/// waited for (<c>FOR UPDATE SKIP LOCKED</c>, added to EF Core's query by <see cref="RowLocks"/>): concurrent claims take
/// disjoint sets of deliveries.
/// </summary>
internal sealed class PostgreSqlDeliveryClaims : IDeliveryClaims
{
    public Task<List<WebhookDelivery>> LockDueAsync(RuntypeDbContext db, DateTime now, int limit, IReadOnlyCollection<Guid> excludedEndpoints, CancellationToken cancellationToken) =>
        DueDeliveries.Of(db.WebhookDeliveries.TagWith(RowLocks.ForUpdateSkipLocked), now, limit, excludedEndpoints).ToListAsync(cancellationToken);
}
