using Microsoft.EntityFrameworkCore;

namespace Runtype.Infrastructure.Persistence;

/// <summary>Brings the configured database to the latest migration (EF Core takes a migration lock, so concurrent starts are safe).</summary>
public sealed class DatabaseMigrator(RuntypeDbContext db, DatabaseOptions options)
{
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await db.Database.MigrateAsync(cancellationToken);
        if (options.Provider == DatabaseProvider.Sqlite)
        {
            SqliteSetup.EnableWriteAheadLog(options.ConnectionString);
        }
    }

    /// <summary>
    /// Readiness: the database answers and has every migration this build knows. A replica started with
    /// <c>Database:MigrateOnStartup=false</c> before the <c>migrate</c> verb ran is not ready, so no traffic reaches it.
    /// </summary>
    public static async Task<bool> IsUpToDateAsync(RuntypeDbContext db, CancellationToken cancellationToken) =>
        await db.Database.CanConnectAsync(cancellationToken)
        && !(await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any();
}
