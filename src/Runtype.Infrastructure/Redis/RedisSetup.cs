using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Runtype.Application.Common;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.StreamSessionEvents;

namespace Runtype.Infrastructure.Redis;

/// <summary>
/// The replicas' shared state (contract §9), when <c>Redis:Configuration</c> is set: the rate limit's counts
/// (<see cref="ISharedRateCounter"/>), the stream cap's slots (<see cref="ISharedStreamSlots"/>) and the backplane that
/// tells every replica of each committed change (<see cref="RedisSessionChanges"/>). Without it, none of these is
/// registered and each process counts and learns alone.
/// </summary>
internal static class RedisSetup
{
    public const string ConfigurationKey = "Redis:Configuration";

    public const string HealthCheckName = "redis";

    public static IServiceCollection AddRedis(this IServiceCollection services, string configuration)
    {
        services.AddSingleton(provider => new RedisConnection(configuration, provider.GetRequiredService<ILogger<RedisConnection>>()));
        services.AddHostedService(provider => provider.GetRequiredService<RedisConnection>());
        services.AddSingleton<ISharedRateCounter, RedisRateCounter>();
        services.AddSingleton<RedisStreamSlots>();
        services.AddSingleton<ISharedStreamSlots>(provider => provider.GetRequiredService<RedisStreamSlots>());
        services.AddHostedService(provider => provider.GetRequiredService<RedisStreamSlots>());
        services.AddSingleton<RedisSessionChanges>();
        services.AddSingleton<ISessionChangeObserver>(provider => provider.GetRequiredService<RedisSessionChanges>());
        services.AddHostedService(provider => provider.GetRequiredService<RedisSessionChanges>());
        services.AddHealthChecks().AddCheck<RedisHealthCheck>(HealthCheckName, tags: ["ready"]);
        return services;
    }
}
