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
/// own and the probe waits for it only until the timeout (then 503). Checks run one at a time: a probe that comes while
/// one runs waits for it to end, then runs its own (an answer is never older than its probe), all within the timeout.
/// However often the balancer probes a stalled replica, one thread is held.
/// </remarks>
internal sealed class DatabaseReadinessCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        try
        {
            await _oneAtATime.WaitAsync(cancellationToken);
            var check = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
            return await check.WaitAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The database has migrations this build knows that are not applied.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The registration's timeout (ApiHost.ReadinessTimeout); a check still running ends by itself.
            return HealthCheckResult.Unhealthy($"The database did not answer within {ApiHost.ReadinessTimeout.TotalSeconds:0} s.");
        }
    }

    private async Task<bool> RunAsync()
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            using var timeout = new CancellationTokenSource(ApiHost.ReadinessTimeout);
            return await DatabaseMigrator.IsUpToDateAsync(scope.ServiceProvider.GetRequiredService<RuntypeDbContext>(), timeout.Token);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }
}
