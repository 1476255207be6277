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
}
