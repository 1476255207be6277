using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Runtype.Application.Common;
using Runtype.Application.Sessions;

namespace Runtype.Infrastructure.Persistence.Sqlite;

/// <summary>
/// The embedded database: the context and its connections (pragmas, the file check, no EF Core SQL functions), the
/// leased connections that keep their statements, the write gate, and this provider's store overrides.
/// </summary>
internal static class SqlitePersistence
{
    public static IServiceCollection AddSqlitePersistence(this IServiceCollection services, DatabaseOptions options)
    {
        var database = SqliteDatabase.From(options.ConnectionString);
        services.AddSingleton(database);
        services.AddDbContextPool<RuntypeDbContext, SqliteRuntypeDbContext>(context => Configure(context, database));
        services.AddSingleton<SqliteWriteGate>();
        services.AddSingleton<SqliteConnectionLeases>();
        services.AddSingleton<DatabaseFailures, SqliteDatabaseFailures>();
        services.Replace(ServiceDescriptor.Scoped<IUnitOfWork, SqliteUnitOfWork>());
        services.Replace(ServiceDescriptor.Scoped<ICallConnection, SqliteCallConnection>());
        services.Replace(ServiceDescriptor.Scoped<ISessionQueries, SqliteSessionQueries>());
        services.Replace(ServiceDescriptor.Scoped<DatabaseMigrator, SqliteDatabaseMigrator>());
        services.AddSingleton<IDeliveryClaims, SqliteDeliveryClaims>();
        return services;
    }

    public static void Configure(DbContextOptionsBuilder options, SqliteDatabase database) =>
        SqliteConnectionWithoutFunctions.Use(options.UseSqlite(database.ConnectionString).AddInterceptors(new SqlitePragmas(database.FilePath)));
}

/// <summary>Lets <c>dotnet ef</c> build the SQLite model offline.</summary>
internal sealed class SqliteDesignTimeFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<SqliteRuntypeDbContext>
{
    public SqliteRuntypeDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqliteRuntypeDbContext>();
        SqlitePersistence.Configure(options, new SqliteDatabase("Data Source=design-time.db", "Data Source=design-time.db", FilePath: null));
        return new SqliteRuntypeDbContext(options.Options);
    }
}
