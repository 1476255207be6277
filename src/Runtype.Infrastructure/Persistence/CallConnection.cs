using Microsoft.EntityFrameworkCore;
using Runtype.Application.Common;

namespace Runtype.Infrastructure.Persistence;

/// <summary>
/// Holds the scope's context connection open: EF Core would otherwise open and close it around every query (taking
/// the connection pool's lock each time). A provider with a cheaper way to lend a call a connection overrides
/// <see cref="HoldOpenAsync"/>.
/// </summary>
internal class CallConnection(RuntypeDbContext db) : ICallConnection
{
    protected RuntypeDbContext Db => db;

    public virtual async Task<IAsyncDisposable> HoldOpenAsync(CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        return new Hold(db);
    }

    private sealed class Hold(RuntypeDbContext db) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await db.Database.CloseConnectionAsync();
    }
}
