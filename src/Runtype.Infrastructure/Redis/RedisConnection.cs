using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Runtype.Infrastructure.Redis;

/// <summary>
/// The process's one connection to Redis (<c>Redis:Configuration</c>, a StackExchange.Redis configuration string),
/// opened when the host starts and kept open by the library, which reconnects by itself. Nothing waits for Redis that
/// is not there: while it cannot be reached, <see cref="Connected"/> is null and every user of it falls back (the
/// process counts alone, streams learn of other replicas' changes by polling); the outage is logged once, when it
/// starts, and once when it ends, and <c>/health/ready</c> says Degraded meanwhile (<see cref="RedisHealthCheck"/>).
/// </summary>
internal sealed partial class RedisConnection(string configuration, ILogger<RedisConnection> logger) : IHostedService, IDisposable
{
    private ConnectionMultiplexer? _multiplexer;
    private int _down;

    /// <summary>Raised each time the connection that carries subscriptions is back, to catch up on what was missed.</summary>
    public event Action? SubscriptionRestored;

    /// <summary>The connection while Redis can be reached; null while it cannot (or before the host started).</summary>
    public IConnectionMultiplexer? Connected => _multiplexer is { IsConnected: true } multiplexer ? multiplexer : null;

    /// <summary>Whether an outage is going on (said in the log once, and in the readiness check).</summary>
    public bool IsDown => Volatile.Read(ref _down) == 1 || _multiplexer is not { IsConnected: true };

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false; // start, and serve, without Redis; connect once it is there
        options.BacklogPolicy = BacklogPolicy.FailFast; // a command while disconnected fails at once rather than waiting
        options.ReconnectRetryPolicy ??= new LinearRetry(1000);
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(options);
        multiplexer.ConnectionFailed += (_, e) => Failed(e.Exception);
        multiplexer.ConnectionRestored += (_, e) => Restored(e.ConnectionType);
        _multiplexer = multiplexer;
        if (!multiplexer.IsConnected)
        {
            Failed(null);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A command failed though the connection looked up: counts as (the start of) an outage.</summary>
    public void Failed(Exception? exception)
    {
        if (Interlocked.Exchange(ref _down, 1) == 0)
        {
            LogUnreachable(logger, exception);
        }
    }

    private void Restored(ConnectionType type)
    {
        if (_multiplexer is { IsConnected: true } && Interlocked.Exchange(ref _down, 0) == 1)
        {
            LogReachable(logger);
        }

        if (type == ConnectionType.Subscription)
        {
            SubscriptionRestored?.Invoke();
        }
    }

    public void Dispose() => _multiplexer?.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis cannot be reached: rate limits and stream caps are counted per process and streams learn of other replicas' changes by polling, until it can")]
    private static partial void LogUnreachable(ILogger logger, Exception? exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis can be reached again: rate limits, stream caps and changes are shared by the replicas again")]
    private static partial void LogReachable(ILogger logger);
}

/// <summary>Readiness: Degraded (still 200) while Redis cannot be reached, for the service keeps serving without it.</summary>
internal sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
        Task.FromResult(redis.IsDown
            ? HealthCheckResult.Degraded("No Redis now: limits are counted per process and other replicas' changes come by polling.")
            : HealthCheckResult.Healthy());
}
