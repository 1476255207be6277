using Microsoft.EntityFrameworkCore;

namespace Runtype.Infrastructure.Persistence;

/// <summary>Brings the configured database to the latest migration (EF Core takes a migration lock, so concurrent starts are safe).</summary>
public sealed class DatabaseMigrator(RuntypeDbContext db, DatabaseOptions options)
{
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        // The migrator may create the SQLite file; the serving connections may not (SqliteSetup). The context is pooled:
        // it goes back to serving with the serving connection string.
        var serving = db.Database.GetConnectionString();
        db.Database.SetConnectionString(options.MigrationConnectionString);
        try
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
            db.Database.SetConnectionString(serving);
        }

        if (options.Provider == DatabaseProvider.Sqlite)
        {
            SqliteSetup.EnableWriteAheadLog(options.MigrationConnectionString);
        }
    }

    /// <summary>
    /// Readiness: the database answers, has every migration this build knows, and a query on a migrated table runs.
    /// A replica started with <c>Database:MigrateOnStartup=false</c> before the <c>migrate</c> verb ran is not ready,
    /// so no traffic reaches it; nor is one whose database file went away (a pooled connection alone proves nothing).
    /// </summary>
    public static async Task<bool> IsUpToDateAsync(RuntypeDbContext db, CancellationToken cancellationToken) =>
        await db.Database.CanConnectAsync(cancellationToken)
        && !(await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any()
        && await ReadsATableAsync(db, cancellationToken);

    private static async Task<bool> ReadsATableAsync(RuntypeDbContext db, CancellationToken cancellationToken)
    {
        // SELECT EXISTS (SELECT 1 FROM sessions): reads one page whatever the size of the table, fails when it cannot.
        _ = await db.Sessions.AnyAsync(cancellationToken);
        return true;
    }
}
