using Microsoft.EntityFrameworkCore;

namespace Runtype.Infrastructure.Persistence.PostgreSql;

/// <summary>
/// PostgreSQL: ids as the native <c>uuid</c> (its order is the order of the lowercase text a client sees), timestamps as
/// <c>timestamp(3) with time zone</c>, free-form objects as <c>text</c> (never <c>jsonb</c>, which reorders keys and
/// drops duplicate ones), other strings as <c>varchar(n)</c>/<c>text</c>. Owns the PostgreSQL migrations
/// (<c>PostgreSql/Migrations/</c>). Identifiers compare case-sensitively: PostgreSQL's collations are deterministic
/// (a database's default collation always is), so <c>=</c> tells "Alice" from "alice".
/// </summary>
public sealed class PostgreSqlRuntypeDbContext(DbContextOptions<PostgreSqlRuntypeDbContext> options) : RuntypeDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);

        // character(n) pads and compares by blank-padded rules, and a text parameter compared with it would cast the
        // column (no index): every string is varchar(n) or text here.
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(e => e.GetProperties()).Where(p => p.ClrType == typeof(string)))
        {
            property.SetIsFixedLength(false);
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HavePrecision(3);
        configurationBuilder.Properties<DateTime?>().HavePrecision(3);
    }
}
