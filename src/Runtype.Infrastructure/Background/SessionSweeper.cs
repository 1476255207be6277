using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Runtype.Application.Common.Idempotency;
using Runtype.Application.Sessions.ExpireSessions;
using Runtype.Application.Webhooks.PurgeWebhookDeliveries;
using Runtype.Infrastructure.Persistence;
using Runtype.Infrastructure.Sessions;

namespace Runtype.Infrastructure.Background;

/// <summary>Configuration <c>Sessions:SweepInterval</c> and <c>Sessions:SweepBatchSize</c>.</summary>
public sealed record SweepSettings(TimeSpan Interval, int BatchSize)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(1);
    public const int DefaultBatchSize = 500;
}

/// <summary>
/// Every <see cref="SweepSettings.Interval"/>: persists the expiry of sessions whose expiresAt has passed, in
/// batches of one transaction each, then purges idempotency records and deletion marks (<see cref="SessionDeletion"/>) past
/// their retention, and webhook deliveries (and their messages) past theirs, in batches too. Safe to run in every
/// replica at once: each session row is changed under its concurrency token, so a session expires exactly once.
/// </summary>
public sealed partial class SessionSweeper(IServiceScopeFactory scopes, SweepSettings settings, TimeProvider clock, ILogger<SessionSweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = clock.GetUtcNow();
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The next round tries again; the failure is logged, not hidden.
                LogSweepFailed(logger, ex);
            }

            // The next sweep starts one interval after this one started, or at once when that time has already passed
            // (a sweep that overran, a clock that jumped ahead while it ran): one sweep then, never a burst of missed
            // ones, and time that passed during a sweep is not waited for again.
            var wait = started + settings.Interval - clock.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock, stoppingToken);
            }
        }
    }

    /// <summary>One sweep: every due session, batch after batch, then the idempotency purge.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        int expired;
        do
        {
            await using var scope = await DatabaseScope.OpenAsync(scopes, cancellationToken);
            expired = await scope.Get<ISender>().Send(new ExpireSessions(settings.BatchSize), cancellationToken);
            total += expired;
        }
        while (expired == settings.BatchSize);

        int purged;
        await using (var scope = await DatabaseScope.OpenAsync(scopes, cancellationToken))
        {
            purged = await scope.Get<ISender>().Send(new PurgeIdempotencyRecords(), cancellationToken);
        }

        int deletions;
        await using (var scope = await DatabaseScope.OpenAsync(scopes, cancellationToken))
        {
            var cutoff = clock.GetUtcNow().UtcDateTime - SessionDeletion.Retention;
            deletions = await scope.Get<RuntypeDbContext>().SessionDeletions
                .Where(d => d.DeletedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        }

        var deliveries = 0;
        int batch;
        do
        {
            await using var scope = await DatabaseScope.OpenAsync(scopes, cancellationToken);
            batch = await scope.Get<ISender>().Send(new PurgeWebhookDeliveries(settings.BatchSize), cancellationToken);
            deliveries += batch;
        }
        while (batch == settings.BatchSize);

        if (total > 0 || purged > 0 || deletions > 0 || deliveries > 0)
        {
            LogSwept(logger, total, purged, deletions, deliveries);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sweep: {Expired} sessions expired, {Purged} idempotency records, {Deletions} deletion marks and {Deliveries} webhook deliveries purged")]
    private static partial void LogSwept(ILogger logger, int expired, int purged, int deletions, int deliveries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweep failed; it runs again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
