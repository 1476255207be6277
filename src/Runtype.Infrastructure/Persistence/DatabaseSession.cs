using Microsoft.EntityFrameworkCore;
using Runtype.Application.Common;

namespace Runtype.Infrastructure.Persistence;

/// <summary>
/// Holds the scope's context connection open: EF Core would otherwise open and close it around every query, and on
/// SQLite each open and close takes the connection pool's lock.
/// </summary>
internal sealed class DatabaseSession(RuntypeDbContext db) : IDatabaseSession
{
    public async Task<IAsyncDisposable> HoldOpenAsync(CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        return new Hold(db);
    }

    private sealed class Hold(RuntypeDbContext db) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await db.Database.CloseConnectionAsync();
    }
}
