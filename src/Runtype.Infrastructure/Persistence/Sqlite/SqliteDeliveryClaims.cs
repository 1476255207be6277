using Microsoft.EntityFrameworkCore;
using Runtype.Domain.Webhooks;

namespace Runtype.Infrastructure.Persistence.Sqlite;

/// <summary>
/// SQLite: the claim runs in the write turn (<see cref="SqliteWriteGate"/>, then <c>BEGIN IMMEDIATE</c>): its transaction
/// holds the database's write lock from its start, so no other claim, of this process or another, runs until it commits.
/// </summary>
internal sealed class SqliteDeliveryClaims : IDeliveryClaims
{
    public Task<List<WebhookDelivery>> LockDueAsync(RuntypeDbContext db, DateTime now, int limit, IReadOnlyCollection<Guid> excludedEndpoints, CancellationToken cancellationToken) =>
        DueDeliveries.Of(db.WebhookDeliveries, now, limit, excludedEndpoints).ToListAsync(cancellationToken);
}
