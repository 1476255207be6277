using Microsoft.EntityFrameworkCore;
using Runtype.Application.Common;
using Runtype.Application.Common.Idempotency;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Infrastructure.Idempotency;

internal sealed class IdempotencyStore(RuntypeDbContext db) : IIdempotencyStore
{
    public Task<IdempotencyRecord?> FindAsync(string userId, string key, CancellationToken cancellationToken) =>
        db.IdempotencyRecords.FirstOrDefaultAsync(r => r.UserId == userId && r.Key == key, cancellationToken);

    public void Add(IdempotencyRecord record) => db.IdempotencyRecords.Add(record);

    public async Task SaveChangesAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.Entries.Any(e => e.Entity is IdempotencyRecord))
        {
            // Another request stored the same key first (primary-key violation): rerun on fresh state, which replays it.
            throw new ConcurrencyConflictException(ex);
        }
    }

    public Task<int> PurgeAsync(DateTime createdBefore, CancellationToken cancellationToken) =>
        db.IdempotencyRecords.Where(r => r.CreatedAt < createdBefore).ExecuteDeleteAsync(cancellationToken);
}
