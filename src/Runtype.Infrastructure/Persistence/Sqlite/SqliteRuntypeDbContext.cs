using Microsoft.EntityFrameworkCore;

namespace Runtype.Infrastructure.Persistence.Sqlite;

/// <summary>
/// SQLite: ids as UUID text, timestamps as INTEGER milliseconds since the Unix epoch (UTC), compact and cheap to index.
/// Owns the SQLite migrations (<c>Sqlite/Migrations/</c>).
/// </summary>
public sealed class SqliteRuntypeDbContext(DbContextOptions<SqliteRuntypeDbContext> options) : RuntypeDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        StoreIdsAsText(configurationBuilder);
        configurationBuilder.Properties<DateTime>().HaveConversion<UnixMillisecondsConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UnixMillisecondsConverter>();
    }
}
