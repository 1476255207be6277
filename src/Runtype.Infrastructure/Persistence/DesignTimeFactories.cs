using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Runtype.Infrastructure.Persistence;

/// <summary>Lets <c>dotnet ef</c> build each provider's model offline (no server is contacted to add or script migrations).</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteRuntypeDbContext>
{
    public SqliteRuntypeDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqliteRuntypeDbContext>();
        DependencyInjection.ConfigureSqlite(options, new DatabaseOptions(DatabaseProvider.Sqlite, "Data Source=design-time.db", MigrateOnStartup: false));
        return new SqliteRuntypeDbContext(options.Options);
    }
}

internal sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerRuntypeDbContext>
{
    public SqlServerRuntypeDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqlServerRuntypeDbContext>();
        DependencyInjection.ConfigureSqlServer(options, "Server=localhost;Database=runtype;Integrated Security=true;TrustServerCertificate=true");
        return new SqlServerRuntypeDbContext(options.Options);
    }
}
