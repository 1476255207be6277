using System.Diagnostics.Metrics;
using Runtype.Domain.Sessions;

namespace Runtype.Application.Common.Telemetry;

/// <summary>
/// The service's own meter, <see cref="MeterName"/>: every instrument of the service is declared here, once, with its
/// name, unit and tags (docs/observability.md lists them and says how to add one). Features record through the
/// methods below; a measurement of a command's writes goes through <see cref="PendingMeasurements"/>, so that only
/// committed work is counted. Exported by OpenTelemetry (OTLP, Prometheus) like the framework's meters.
/// </summary>
public sealed class RuntypeMetrics
{
    public const string MeterName = "Runtype.Sessions";

    /// <summary>The tag of a status change: the status the session moved to (<c>planning</c> … <c>expired</c>).</summary>
    public const string StatusTag = "session.status";

    /// <summary>The tag of an idempotent replay: the command replayed (<c>create_session</c>, <c>append_session_event</c>).</summary>
    public const string OperationTag = "operation";

    /// <summary>
    /// The tag of a webhook attempt: what it got (<c>succeeded</c>: a 2xx; <c>gone</c>: 410, the endpoint disabled;
    /// <c>failed</c>: another status; <c>no_answer</c>: refused, unreachable or timed out).
    /// </summary>
    public const string OutcomeTag = "outcome";

    private readonly Counter<long> _sessionsCreated;
    private readonly Counter<long> _statusChanges;
    private readonly Counter<long> _eventsAppended;
    private readonly UpDownCounter<long> _openStreams;
    private readonly Counter<long> _idempotentReplays;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _webhookAttempts;

    public RuntypeMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Meter = meters.Create(MeterName);
        _sessionsCreated = Meter.CreateCounter<long>("runtype.sessions.created", "{session}", "Sessions created.");
        _statusChanges = Meter.CreateCounter<long>(
            "runtype.sessions.status_changes", "{change}", $"Status changes of sessions, by the status moved to (tag {StatusTag}); expiry included.");
        _eventsAppended = Meter.CreateCounter<long>("runtype.session_events.appended", "{event}", "Events appended by clients (not the status_changed events).");
        _openStreams = Meter.CreateUpDownCounter<long>("runtype.event_streams.open", "{stream}", "Live event streams (Server-Sent Events) open in this process.");
        _idempotentReplays = Meter.CreateCounter<long>(
            "runtype.idempotency.replays", "{request}", $"Requests answered from an earlier one with the same Idempotency-Key (tag {OperationTag}).");
        _rateLimited = Meter.CreateCounter<long>("runtype.rate_limit.rejected", "{request}", "Requests refused by the per-credential rate limit (429).");
        _webhookAttempts = Meter.CreateCounter<long>(
            "runtype.webhook.attempts", "{attempt}", $"Webhook delivery attempts whose outcome was recorded, by outcome (tag {OutcomeTag}).");
    }

    /// <summary>The meter the instruments belong to (tests listen to it).</summary>
    public Meter Meter { get; }

    public void SessionCreated() => _sessionsCreated.Add(1);

    public void StatusChanged(string to) => _statusChanges.Add(1, new KeyValuePair<string, object?>(StatusTag, to));

    public void EventAppended() => _eventsAppended.Add(1);

    public void IdempotentReplay(string operation) => _idempotentReplays.Add(1, new KeyValuePair<string, object?>(OperationTag, operation));

    public void RateLimited() => _rateLimited.Add(1);

    public void WebhookAttempted(string outcome) => _webhookAttempts.Add(1, new KeyValuePair<string, object?>(OutcomeTag, outcome));

    /// <summary>Counts a stream as open until the returned lease (which also disposes <paramref name="slot"/>) is disposed.</summary>
    public IDisposable StreamOpened(IDisposable slot)
    {
        _openStreams.Add(1);
        return new OpenStream(this, slot);
    }

    /// <summary>What a save wrote: a new session, and the events appended to it (status changes and clients' events).</summary>
    internal void SessionSaved(bool created, IEnumerable<SessionEvent> appended)
    {
        if (created)
        {
            SessionCreated();
        }

        foreach (var saved in appended)
        {
            if (string.Equals(saved.Type, SessionLimits.StatusChangedEventType, StringComparison.Ordinal))
            {
                StatusChanged(saved.Stage!);
            }
            else
            {
                EventAppended();
            }
        }
    }

    private sealed class OpenStream(RuntypeMetrics metrics, IDisposable slot) : IDisposable
    {
        private int _closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                metrics._openStreams.Add(-1);
                slot.Dispose();
            }
        }
    }
}
