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
using Runtype.Infrastructure.Persistence.PostgreSql;
using Runtype.Infrastructure.Persistence.Sqlite;
using Runtype.Infrastructure.Persistence.SqlServer;
using Runtype.Infrastructure.Redis;
using Runtype.Infrastructure.Sessions;
using Runtype.Infrastructure.Webhooks;

namespace Runtype.Infrastructure;

public static class DependencyInjection
{
    /// <summary>
    /// The stores every provider shares, then the configured provider's setup (<c>Database:Provider</c>), which adds
    /// its context and replaces the stores it overrides. This switch is the only place that knows which one runs.
    /// </summary>
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        var database = DatabaseOptions.Read(configuration);
        services.AddSingleton(database);
        services.AddScoped<IUnitOfWork, UnitOfWork>();
        services.AddScoped<ICallConnection, CallConnection>();
        services.AddScoped<ISessionRepository, SessionRepository>();
        services.AddScoped<ISessionQueries, SessionQueries>();
        services.AddScoped<DatabaseMigrator>();
        services.AddScoped<IApiKeyRepository, ApiKeyRepository>();
        services.AddScoped<IIdempotencyStore, IdempotencyStore>();
        services.AddSingleton<ISessionEventFeed, SessionEventFeed>();
        services.AddWebhooks();

        _ = database.Provider switch
        {
            DatabaseProvider.Sqlite => services.AddSqlitePersistence(database),
            DatabaseProvider.SqlServer => services.AddSqlServerPersistence(database),
            DatabaseProvider.PostgreSql => services.AddPostgreSqlPersistence(database),
            _ => throw new InvalidOperationException($"Unknown database provider {database.Provider}."),
        };

        services.AddSingleton(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            return new SweepSettings(
                configuration.GetValue("Sessions:SweepInterval", SweepSettings.DefaultInterval),
                configuration.GetValue("Sessions:SweepBatchSize", SweepSettings.DefaultBatchSize));
        });
        services.AddHostedService<SessionSweeper>();
        services.AddSingleton<SessionChangeFeed>();
        services.AddSingleton<ISessionChangeObserver>(provider => provider.GetRequiredService<SessionChangeFeed>());
        services.AddHostedService(provider => provider.GetRequiredService<SessionChangeFeed>());

        // Optional: the replicas' shared counts and backplane (docs/deployment.md); without it each process counts alone.
        if (configuration[RedisSetup.ConfigurationKey] is { Length: > 0 } redis)
        {
            services.AddRedis(redis);
        }

        services.AddSingleton<ApiKeyUseRecorder>();
        services.AddSingleton<IApiKeyUseRecorder>(sp => sp.GetRequiredService<ApiKeyUseRecorder>());
        services.AddHostedService(sp => sp.GetRequiredService<ApiKeyUseRecorder>());
        return services;
    }
}
