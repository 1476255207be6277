using Microsoft.EntityFrameworkCore;
using Runtype.Application.Common;

namespace Runtype.Infrastructure.Persistence;

/// <summary>
/// Holds the scope's context connection open: EF Core would otherwise open and close it around every query, and on
/// SQLite each open and close takes the connection pool's lock. On SQLite the connection is one of
/// <see cref="SqliteConnectionLeases"/>, lent to the context for the hold: it stays open between calls and reuses
/// the statements it has compiled.
/// </summary>
internal sealed class DatabaseSession(RuntypeDbContext db, SqliteConnectionLeases leases, DatabaseOptions options) : IDatabaseSession
{
    public async Task<IAsyncDisposable> HoldOpenAsync(CancellationToken cancellationToken)
    {
        if (db is SqliteRuntypeDbContext)
        {
            var connection = await leases.RentAsync(cancellationToken);
            try
            {
                db.Database.SetDbConnection(connection, contextOwnsConnection: false);
            }
            catch
            {
                leases.Return(connection);
                throw;
            }

            return new Lease(db, leases, connection, options.ConnectionString);
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        return new Hold(db);
    }

    private sealed class Hold(RuntypeDbContext db) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await db.Database.CloseConnectionAsync();
    }

    private sealed class Lease(RuntypeDbContext db, SqliteConnectionLeases leases, StatementCachingSqliteConnection connection, string connectionString)
        : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            // The context goes back to making its own connections, from the serving connection string (which setting a
            // connection object cleared).
            db.Database.SetDbConnection(null, contextOwnsConnection: true);
            db.Database.SetConnectionString(connectionString);
            leases.Return(connection);
            return ValueTask.CompletedTask;
        }
    }
}
