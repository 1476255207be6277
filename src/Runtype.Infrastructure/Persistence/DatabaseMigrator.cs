using Microsoft.EntityFrameworkCore;

namespace Runtype.Infrastructure.Persistence;

/// <summary>
/// Brings the configured database to the latest migration (EF Core takes a migration lock, so concurrent starts are
/// safe). A provider that must prepare its database around the migrations overrides <see cref="MigrateAsync"/>.
/// </summary>
public class DatabaseMigrator(RuntypeDbContext db)
{
    protected RuntypeDbContext Db => db;

    public virtual Task MigrateAsync(CancellationToken cancellationToken) => db.Database.MigrateAsync(cancellationToken);

    /// <summary>
    /// Readiness: the database answers, has every migration this build knows, and a query on a migrated table runs.
    /// A replica started with <c>Database:MigrateOnStartup=false</c> before the <c>migrate</c> verb ran is not ready,
    /// so no traffic reaches it; nor is one whose database went away (a pooled connection alone proves nothing).
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
