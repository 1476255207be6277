using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Application.ApiKeys;
using Runtype.Application.Common;
using Runtype.Application.Common.Idempotency;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.StreamSessionEvents;
using Runtype.Infrastructure.ApiKeys;
using Runtype.Infrastructure.Background;
using Runtype.Infrastructure.Idempotency;
using Runtype.Infrastructure.Persistence;
using Runtype.Infrastructure.Sessions;
using Runtype.Infrastructure.Webhooks;

namespace Runtype.Infrastructure;

public static class DependencyInjection
{
    public const string ConnectionStringName = "Runtype";

    /// <summary>Reads <c>Database:Provider</c>, <c>Database:MigrateOnStartup</c> and <c>ConnectionStrings:Runtype</c>.</summary>
    public static DatabaseOptions ReadDatabaseOptions(IConfiguration configuration)
    {
        var providerText = configuration["Database:Provider"];
        DatabaseProvider provider;
        if (string.IsNullOrWhiteSpace(providerText))
        {
            provider = DatabaseProvider.Sqlite;
        }
        else if (!Enum.TryParse(providerText, ignoreCase: true, out provider) || !Enum.IsDefined(provider))
        {
            throw new InvalidOperationException($"Database:Provider must be Sqlite or SqlServer, not '{providerText}'.");
        }

        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = provider == DatabaseProvider.Sqlite
                ? DatabaseOptions.DefaultSqliteConnectionString
                : throw new InvalidOperationException("ConnectionStrings:Runtype is required when Database:Provider is SqlServer.");
        }

        var migrateOnStartup = configuration.GetValue("Database:MigrateOnStartup", true);
        if (provider == DatabaseProvider.Sqlite)
        {
            var (serving, migration, filePath) = SqliteSetup.Prepare(connectionString);
            return new DatabaseOptions(provider, serving, migrateOnStartup) { MigrationConnectionString = migration, SqliteFilePath = filePath };
        }

        return new DatabaseOptions(provider, connectionString, migrateOnStartup);
    }

    public static IServiceCollection AddInfrastructure(this IServiceCollection services)
    {
        // Configuration is read when the first context is built, so hosts and tests can still change it after registration.
        services.AddSingleton(sp => ReadDatabaseOptions(sp.GetRequiredService<IConfiguration>()));
        // Pooled contexts: the options are built once, and a request reuses a context's internal services instead of
        // building them again (docs/performance.md).
        services.AddDbContextPool<SqliteRuntypeDbContext>((sp, options) => ConfigureSqlite(options, sp.GetRequiredService<DatabaseOptions>()));
        services.AddDbContextPool<SqlServerRuntypeDbContext>((sp, options) => ConfigureSqlServer(options, sp.GetRequiredService<DatabaseOptions>().ConnectionString));
        services.AddScoped<RuntypeDbContext>(sp => sp.GetRequiredService<DatabaseOptions>().Provider switch
        {
            DatabaseProvider.SqlServer => sp.GetRequiredService<SqlServerRuntypeDbContext>(),
            _ => sp.GetRequiredService<SqliteRuntypeDbContext>(),
        });

        services.AddSingleton<SqliteWriteGate>();
        services.AddSingleton<SqliteConnectionLeases>();
        services.AddScoped<IUnitOfWork, UnitOfWork>();
        services.AddScoped<IDatabaseSession, DatabaseSession>();
        services.AddScoped<ISessionRepository, SessionRepository>();
        services.AddScoped<ISessionQueries, SessionQueries>();
        services.AddScoped<ISessionRows>(sp => sp.GetRequiredService<RuntypeDbContext>() switch
        {
            SqliteRuntypeDbContext sqlite => new SqliteSessionRows(sqlite),
            var other => new EfSessionRows(other),
        });
        services.AddSingleton<ISessionEventFeed, SessionEventFeed>();
        services.AddScoped<IApiKeyRepository, ApiKeyRepository>();
        services.AddScoped<IIdempotencyStore, IdempotencyStore>();
        services.AddSingleton(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            return new SweepSettings(
                configuration.GetValue("Sessions:SweepInterval", SweepSettings.DefaultInterval),
                configuration.GetValue("Sessions:SweepBatchSize", SweepSettings.DefaultBatchSize));
        });
        services.AddHostedService<SessionSweeper>();
        services.AddSingleton<IDeliveryClaims>(sp => sp.GetRequiredService<DatabaseOptions>().Provider switch
        {
            DatabaseProvider.SqlServer => new SqlServerDeliveryClaims(),
            _ => new SqliteDeliveryClaims(),
        });
        services.AddWebhooks();
        services.AddScoped<DatabaseMigrator>();
        return services;
    }

    internal static void ConfigureSqlite(DbContextOptionsBuilder options, DatabaseOptions database) =>
        SqliteConnectionWithoutFunctions.Use(options.UseSqlite(database.ConnectionString).AddInterceptors(new SqlitePragmas(database.SqliteFilePath)));

    internal static void ConfigureSqlServer(DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlServer(connectionString, sql => sql.EnableRetryOnFailure());
}
