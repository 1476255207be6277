using System.Threading.Channels;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Runtype.Application.Webhooks;
using Runtype.Application.Webhooks.DispatchWebhooks;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Infrastructure.Webhooks;

/// <summary>
/// Each process's dispatcher: looks for due deliveries (a read; skipped when more are known to be due) and claims them
/// (leased in the database, so one delivery is attempted by one process at a time), sends them concurrently up to
/// <see cref="WebhookSettings.MaxConcurrency"/> attempts, at most <see cref="WebhookSettings.MaxConcurrencyPerEndpoint"/>
/// of them to one endpoint (a slow or dead endpoint cannot take the others' slots), and records the outcomes in batches.
/// It wakes when a command of this process commits deliveries (<see cref="WebhookDispatchSignal"/>), when enough attempts
/// have finished to claim a batch (a quarter of all slots, or of one endpoint's), and every
/// <see cref="WebhookSettings.PollInterval"/> for deliveries other processes committed or that came due. No database
/// transaction is open while a request is on the wire.
/// </summary>
internal sealed partial class WebhookDispatcher(
    IServiceScopeFactory scopes, WebhookSender sender, WebhookDispatchSignal signal, WebhookSettings settings, TimeProvider clock,
    ILogger<WebhookDispatcher> logger)
    : BackgroundService
{
    private const int RecordBatchSize = 256;
    private static readonly TimeSpan RecordRetryDelay = TimeSpan.FromSeconds(1);
    private const int RecordAttempts = 5;

    private readonly Channel<WebhookAttemptResult> _outcomes = Channel.CreateUnbounded<WebhookAttemptResult>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, int> _inFlightPerEndpoint = [];
    private readonly HashSet<Task> _sends = [];
    private TaskCompletionSource _roomForBatch = NewSource();
    private int _inFlight;

    /// <summary>Attempts in flight in this process (for tests and diagnostics).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recorder = RecordOutcomesAsync();
        try
        {
            await ClaimAndSendAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the attempts in flight finish (each within its timeout) and their outcomes are recorded.
        }
        finally
        {
            Task[] sends;
            lock (_gate)
            {
                sends = [.. _sends];
            }

            await Task.WhenAll(sends);
            _outcomes.Writer.Complete();
            await recorder;
        }
    }

    private async Task ClaimAndSendAsync(CancellationToken stoppingToken)
    {
        // Whether to look (a read) before claiming (on SQLite a write turn): not when more is known to be due, after a
        // full claim, or after a commit of this process made deliveries due while no endpoint is at its cap (the new
        // ones may be to such an endpoint otherwise).
        var look = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before looking for work: a commit or a finished attempt while the claim runs still wakes the wait.
            var woken = signal.Next;
            Task room;
            int free;
            Dictionary<Guid, int> inFlight;
            lock (_gate)
            {
                room = _roomForBatch.Task;
                free = settings.MaxConcurrency - _inFlight;
                inFlight = new Dictionary<Guid, int>(_inFlightPerEndpoint);
            }

            if (free >= settings.ClaimBatch)
            {
                var claim = await ClaimAsync(free, inFlight, look || settings.Saturated(inFlight).Count > 0, stoppingToken);
                foreach (var attempt in claim.Attempts)
                {
                    Start(attempt);
                }

                look = !claim.Full;
                if (claim.Full)
                {
                    continue; // more may be due: claim again as soon as there is room
                }
            }

            using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            look = await Task.WhenAny(woken, room, Task.Delay(settings.PollInterval, clock, stopWaiting.Token)) != woken;
            await stopWaiting.CancelAsync();
        }
    }

    private async Task<WebhookClaim> ClaimAsync(int limit, IReadOnlyDictionary<Guid, int> inFlight, bool look, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = await DatabaseScope.OpenAsync(scopes, stoppingToken);
            var mediator = scope.Get<ISender>();
            return !look || await mediator.Send(new HasDueWebhookDeliveries(inFlight), stoppingToken)
                ? await mediator.Send(new ClaimWebhookDeliveries(limit, inFlight), stoppingToken)
                : WebhookClaim.None;
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // The database may be away for a moment: the next poll tries again.
            LogClaimFailed(logger, ex);
            return WebhookClaim.None;
        }
    }

    private void Start(WebhookAttempt attempt)
    {
        lock (_gate)
        {
            _inFlight++;
            _inFlightPerEndpoint[attempt.EndpointId] = _inFlightPerEndpoint.GetValueOrDefault(attempt.EndpointId) + 1;
        }

        var send = Task.Run(() => SendAsync(attempt));
        lock (_gate)
        {
            if (!send.IsCompleted)
            {
                _sends.Add(send);
            }
        }
    }

    private async Task SendAsync(WebhookAttempt attempt)
    {
        WebhookAttemptResult result;
        try
        {
            result = await sender.SendAsync(attempt);
        }
        catch (Exception ex)
        {
            // Not the receiver's answer but a fault here: counted as a failed attempt, so the schedule still applies.
            LogSendFailed(logger, attempt.DeliveryId, ex);
            result = new WebhookAttemptResult(attempt.DeliveryId, attempt.LeaseToken, null, null);
        }

        _outcomes.Writer.TryWrite(result);
        TaskCompletionSource? room = null;
        lock (_gate)
        {
            var left = --_inFlight;
            var toEndpoint = _inFlightPerEndpoint[attempt.EndpointId] - 1;
            if (toEndpoint == 0)
            {
                _inFlightPerEndpoint.Remove(attempt.EndpointId);
            }
            else
            {
                _inFlightPerEndpoint[attempt.EndpointId] = toEndpoint;
            }

            // Room for a batch, in all or to this endpoint, as this attempt makes it: one wake-up per batch, not one per attempt.
            if (left == settings.MaxConcurrency - settings.ClaimBatch || toEndpoint == settings.MaxConcurrencyPerEndpoint - settings.EndpointBatch)
            {
                room = _roomForBatch;
                _roomForBatch = NewSource();
            }

            _sends.RemoveWhere(t => t.IsCompleted);
        }

        room?.TrySetResult();
    }

    /// <summary>Writes the outcomes of finished attempts, as many at once as are waiting, until the dispatcher stops.</summary>
    private async Task RecordOutcomesAsync()
    {
        var reader = _outcomes.Reader;
        var batch = new List<WebhookAttemptResult>(RecordBatchSize);
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < RecordBatchSize && reader.TryRead(out var result))
            {
                batch.Add(result);
            }

            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await using var scope = await DatabaseScope.OpenAsync(scopes, CancellationToken.None);
                    await scope.Get<ISender>().Send(new RecordWebhookAttempts([.. batch]), CancellationToken.None);
                    break;
                }
                catch (Exception ex) when (attempt < RecordAttempts)
                {
                    LogRecordFailed(logger, batch.Count, ex);
                    await Task.Delay(RecordRetryDelay, CancellationToken.None);
                }
                catch (Exception ex)
                {
                    // Their leases run out and the deliveries are attempted again: sent at least once, never lost.
                    LogRecordDropped(logger, batch.Count, ex);
                    break;
                }
            }
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook claim failed; the next poll tries again")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook delivery {DeliveryId} could not be sent")]
    private static partial void LogSendFailed(ILogger logger, Guid deliveryId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording {Count} webhook attempts failed; trying again")]
    private static partial void LogRecordFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording {Count} webhook attempts failed for good; their deliveries are attempted again once their leases run out")]
    private static partial void LogRecordDropped(ILogger logger, int count, Exception exception);
}
