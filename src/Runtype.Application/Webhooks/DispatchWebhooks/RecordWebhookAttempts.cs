using Mediator;
using Runtype.Application.Common.Telemetry;

namespace Runtype.Application.Webhooks.DispatchWebhooks;

/// <summary>
/// Records the outcomes of finished attempts, one transaction for all: a 2xx succeeds the delivery; a 410 fails it
/// and disables its endpoint; anything else (another status, no answer) schedules the next attempt or, after the
/// last, fails it, and disables an endpoint that has failed every attempt for <see cref="WebhookSettings.DisableAfter"/>
/// (a disabled endpoint's failed attempt, one asked for by hand, is not scheduled again).
/// A disabled endpoint's pending deliveries fail with it. An outcome whose lease is no longer the delivery's (retried
/// by hand, abandoned, deleted) is dropped. Returns how many outcomes were recorded.
/// </summary>
public sealed record RecordWebhookAttempts(IReadOnlyList<WebhookAttemptResult> Results) : ICommand<int>;

/// <summary>
/// What one attempt got: the HTTP status of the answer (null when there was none: refused, unreachable, timed out) and the
/// receiver's <c>Retry-After</c>, if it sent one.
/// </summary>
public sealed record WebhookAttemptResult(Guid DeliveryId, Guid LeaseToken, int? ResponseStatus, TimeSpan? RetryAfter)
{
    public bool Succeeded => ResponseStatus is >= 200 and < 300;

    public bool Gone => ResponseStatus == 410;

    /// <summary>The outcome as the metrics tag it (<see cref="RuntypeMetrics.OutcomeTag"/>).</summary>
    public string Outcome => Succeeded ? "succeeded" : Gone ? "gone" : ResponseStatus is null ? "no_answer" : "failed";
}

public sealed class RecordWebhookAttemptsHandler(
    IWebhookDeliveryRepository deliveries,
    IWebhookEndpointRepository endpoints,
    WebhookSettings settings,
    PendingMeasurements measurements,
    TimeProvider clock)
    : ICommandHandler<RecordWebhookAttempts, int>
{
    public async ValueTask<int> Handle(RecordWebhookAttempts command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var leased = (await deliveries.FindManyAsync([.. command.Results.Select(r => r.DeliveryId)], cancellationToken)).ToDictionary(d => d.Id);
        var current = command.Results.Where(r => leased.TryGetValue(r.DeliveryId, out var d) && d.LeaseToken == r.LeaseToken).ToList();
        var targets = (await endpoints.FindManyAsync([.. current.Select(r => leased[r.DeliveryId].EndpointId).Distinct()], cancellationToken))
            .ToDictionary(e => e.Id);
        var disabled = new HashSet<Guid>();
        foreach (var result in current)
        {
            var delivery = leased[result.DeliveryId];
            var endpoint = targets[delivery.EndpointId];
            measurements.OnCommit(m => m.WebhookAttempted(result.Outcome));
            if (result.Succeeded)
            {
                delivery.Succeed(result.ResponseStatus!.Value);
                endpoint.RecordSuccess();
            }
            else if (result.Gone)
            {
                delivery.Abandon(result.ResponseStatus);
                if (endpoint.RecordGone(now))
                {
                    disabled.Add(endpoint.Id);
                }
            }
            else
            {
                var retryAfter = result.RetryAfter is { } asked ? TimeSpan.FromTicks(Math.Clamp(asked.Ticks, 0, WebhookSettings.MaxRetryAfter.Ticks)) : (TimeSpan?)null;
                delivery.Fail(result.ResponseStatus, now, settings.RetrySchedule, retryAfter);
                if (endpoint.RecordFailure(now, settings.DisableAfter))
                {
                    disabled.Add(endpoint.Id);
                }
                else if (!endpoint.Enabled)
                {
                    // A disabled endpoint gets the attempt it was asked for by hand (a test, a retry), no scheduled ones.
                    delivery.Abandon(result.ResponseStatus);
                }
            }
        }

        await deliveries.SaveChangesAsync(cancellationToken);
        foreach (var endpointId in disabled)
        {
            await deliveries.AbandonPendingAsync(endpointId, cancellationToken);
        }

        return current.Count;
    }
}
