using Runtype.Domain.Common;

namespace Runtype.Domain.Webhooks;

/// <summary>
/// One message on its way to one endpoint. Each attempt is leased by one dispatcher at a time: the lease is a token and
/// an expiry (<see cref="NextAttemptAt"/> moves to the lease's end), so a dispatcher that dies mid-attempt leaves the
/// delivery due again once the lease runs out. After a failed attempt the next one follows the retry schedule (or the
/// receiver's <c>Retry-After</c>); after the last one the delivery is failed.
/// </summary>
public sealed class WebhookDelivery
{
    private WebhookDelivery()
    {
    }

    private WebhookDelivery(Guid endpointId, Guid messageId, DateTime now, DateTime firstAttemptAt)
    {
        Id = Guid.CreateVersion7(now);
        EndpointId = endpointId;
        MessageId = messageId;
        Status = WebhookDeliveryStatus.Pending;
        NextAttemptAt = firstAttemptAt;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }

    public Guid EndpointId { get; private set; }

    public Guid MessageId { get; private set; }

    public WebhookDeliveryStatus Status { get; private set; }

    /// <summary>Attempts started so far (an attempt counts from the moment it is leased).</summary>
    public int Attempts { get; private set; }

    /// <summary>When the next attempt is due (while one is in flight: when its lease ends); null once succeeded or failed.</summary>
    public DateTime? NextAttemptAt { get; private set; }

    public DateTime? LastAttemptAt { get; private set; }

    /// <summary>The HTTP status of the last answer; null before any, or when the last attempt got none (refused, timed out).</summary>
    public int? LastResponseStatus { get; private set; }

    /// <summary>The lease of the attempt in flight; null when none is. Only its holder may record the attempt's outcome.</summary>
    public Guid? LeaseToken { get; private set; }

    public DateTime CreatedAt { get; private set; }

    /// <summary>A pending delivery whose first attempt is due <paramref name="firstDelay"/> after <paramref name="now"/>.</summary>
    public static WebhookDelivery Create(Guid endpointId, Guid messageId, DateTimeOffset now, TimeSpan firstDelay)
    {
        var at = UtcTimestamp.From(now);
        return new WebhookDelivery(endpointId, messageId, at, UtcTimestamp.From(now + firstDelay));
    }

    /// <summary>Whether an attempt is in flight at <paramref name="now"/> (leased, and the lease has not run out).</summary>
    public bool IsInFlight(DateTimeOffset now) =>
        LeaseToken is not null && Status == WebhookDeliveryStatus.Pending && NextAttemptAt > now.UtcDateTime;

    /// <summary>Starts an attempt: leased to its caller until <paramref name="now"/> + <paramref name="lease"/>.</summary>
    public Guid Lease(DateTimeOffset now, TimeSpan lease)
    {
        if (Status != WebhookDeliveryStatus.Pending || IsInFlight(now))
        {
            throw new InvalidOperationException($"Delivery {Id} is not due for an attempt.");
        }

        var token = Guid.NewGuid();
        LeaseToken = token;
        Attempts++;
        LastAttemptAt = UtcTimestamp.From(now);
        NextAttemptAt = UtcTimestamp.From(now + lease);
        return token;
    }

    /// <summary>The attempt was answered with a 2xx.</summary>
    public void Succeed(int responseStatus)
    {
        LastResponseStatus = responseStatus;
        Finish(WebhookDeliveryStatus.Succeeded);
    }

    /// <summary>
    /// The attempt failed (no answer, or not a 2xx). The next attempt waits the schedule's delay for the attempt that
    /// follows (<paramref name="schedule"/>[<see cref="Attempts"/>]), or what the receiver asked for with
    /// <paramref name="retryAfter"/>; when the schedule has no further attempt the delivery is failed.
    /// </summary>
    public void Fail(int? responseStatus, DateTimeOffset now, IReadOnlyList<TimeSpan> schedule, TimeSpan? retryAfter)
    {
        LastResponseStatus = responseStatus;
        if (Attempts >= schedule.Count)
        {
            Finish(WebhookDeliveryStatus.Failed);
            return;
        }

        LeaseToken = null;
        NextAttemptAt = UtcTimestamp.From(now + (retryAfter ?? schedule[Attempts]));
    }

    /// <summary>No further attempt: the endpoint answered 410, or was disabled (<paramref name="responseStatus"/> null: nothing was sent).</summary>
    public void Abandon(int? responseStatus)
    {
        if (responseStatus is not null)
        {
            LastResponseStatus = responseStatus;
        }

        Finish(WebhookDeliveryStatus.Failed);
    }

    /// <summary>A new attempt now, whatever the status (a failed delivery too); refused while an attempt is in flight.</summary>
    public void Retry(DateTimeOffset now)
    {
        if (IsInFlight(now))
        {
            throw new WebhookDeliveryInProgress(Id);
        }

        Status = WebhookDeliveryStatus.Pending;
        LeaseToken = null;
        NextAttemptAt = UtcTimestamp.From(now);
    }

    private void Finish(WebhookDeliveryStatus status)
    {
        Status = status;
        LeaseToken = null;
        NextAttemptAt = null;
    }
}

/// <summary>An attempt of the delivery is in flight: a manual retry waits until it has ended.</summary>
public sealed class WebhookDeliveryInProgress(Guid deliveryId)
    : DomainException($"An attempt of delivery {deliveryId} is in flight; retry it once that attempt has ended.");
