using Microsoft.Extensions.Diagnostics.HealthChecks;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Api.Hosting;

/// <summary>
/// The database part of <c>/health/ready</c> (<see cref="DatabaseMigrator.IsUpToDateAsync"/>), answered within the
/// check's timeout whatever the database does.
/// </summary>
/// <remarks>
/// SQLite's calls are synchronous: a check stuck in I/O (a stalled or frozen disk) cannot observe its cancellation, and
/// would hold the probe, and a thread-pool thread, until the storage comes back. So the check runs on a thread of its
/// own, the probe waits for it only until the timeout (then 503), and while one check is still running every probe waits
/// for that one rather than starting another: however often the balancer probes a stalled replica, at most one thread
/// is held.
/// </remarks>
internal sealed class DatabaseReadinessCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    private readonly Lock _lock = new();
    private Task<bool>? _running;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        Task<bool> check;
        lock (_lock)
        {
            if (_running is not { IsCompleted: false })
            {
                _running = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
            }

            check = _running;
        }

        try
        {
            return await check.WaitAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The database has migrations this build knows that are not applied.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The registration's timeout (ApiHost.ReadinessTimeout): the check goes on by itself, and the next probe waits for it.
            return HealthCheckResult.Unhealthy($"The database did not answer within {ApiHost.ReadinessTimeout.TotalSeconds:0} s.");
        }
    }

    private async Task<bool> RunAsync()
    {
        await using var scope = scopes.CreateAsyncScope();
        using var timeout = new CancellationTokenSource(ApiHost.ReadinessTimeout);
        return await DatabaseMigrator.IsUpToDateAsync(scope.ServiceProvider.GetRequiredService<RuntypeDbContext>(), timeout.Token);
    }
}
