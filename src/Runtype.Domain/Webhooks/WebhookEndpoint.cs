using Runtype.Domain.Common;

namespace Runtype.Domain.Webhooks;

/// <summary>
/// Where a user's webhook messages go: a URL, the event types it subscribes to (none: all), and the secret that signs
/// what is sent to it. A rotated secret keeps signing beside the new one for <see cref="WebhookLimits.PreviousSecretLifetime"/>.
/// The service disables an endpoint that answers 410 Gone, or that has failed every attempt for a configured time
/// (<see cref="FailingSince"/>); enabling it again clears that state. Every change bumps <see cref="Version"/>.
/// </summary>
public sealed class WebhookEndpoint
{
    private WebhookEndpoint()
    {
        UserId = null!;
        Url = null!;
        EventTypes = null!;
        Secret = null!;
    }

    private WebhookEndpoint(string userId, string url, string eventTypes, string? description, string secret, DateTime now)
    {
        Id = Guid.CreateVersion7(now);
        UserId = userId;
        Url = url;
        EventTypes = eventTypes;
        Description = description;
        Enabled = true;
        Secret = secret;
        CreatedAt = now;
        UpdatedAt = now;
        Version = 1;
    }

    public Guid Id { get; private set; }

    public string UserId { get; private set; }

    public string Url { get; private set; }

    /// <summary>The subscribed event types, space-separated; empty: every type.</summary>
    public string EventTypes { get; private set; }

    public string? Description { get; private set; }

    public bool Enabled { get; private set; }

    /// <summary>Why the service disabled the endpoint; null while it is enabled, or when its owner disabled it.</summary>
    public string? DisabledReason { get; private set; }

    /// <summary>The current signing secret (<c>whsec_…</c>).</summary>
    public string Secret { get; private set; }

    /// <summary>The secret before the last rotation, signing beside <see cref="Secret"/> until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecret { get; private set; }

    public DateTime? PreviousSecretExpiresAt { get; private set; }

    /// <summary>When the current run of failed attempts began; null after a success (or before any attempt).</summary>
    public DateTime? FailingSince { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public DateTime UpdatedAt { get; private set; }

    /// <summary>Optimistic-concurrency token: the API and the dispatchers of every replica change endpoints.</summary>
    public long Version { get; private set; }

    public IReadOnlyList<string> EventTypeList => EventTypes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A new, enabled endpoint with a new secret.</summary>
    public static WebhookEndpoint Create(string userId, string url, IEnumerable<string>? eventTypes, string? description, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        return new WebhookEndpoint(userId, url, Join(eventTypes), description, WebhookSignature.NewSecret(), UtcTimestamp.From(now));
    }

    public bool Subscribes(string eventType) => WebhookEventTypes.Includes(EventTypes, eventType);

    /// <summary>The secrets that sign an attempt at <paramref name="now"/>: the current one first, then a rotated one still valid.</summary>
    public IReadOnlyList<string> SigningSecrets(DateTimeOffset now) =>
        PreviousSecret is not null && PreviousSecretExpiresAt > now.UtcDateTime ? [Secret, PreviousSecret] : [Secret];

    /// <summary>Applies a PATCH; enabling a disabled endpoint clears its failure state. Returns whether it disabled the endpoint.</summary>
    public bool Update(WebhookEndpointUpdate update, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(update);
        var changed = false;
        var disabled = false;
        if (update.Url.HasValue && !string.Equals(update.Url.Value, Url, StringComparison.Ordinal))
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(update.Url.Value);
            Url = update.Url.Value;
            changed = true;
        }

        if (update.EventTypes.HasValue && Join(update.EventTypes.Value) is var types && types != EventTypes)
        {
            EventTypes = types;
            changed = true;
        }

        if (update.Description.HasValue && !string.Equals(update.Description.Value, Description, StringComparison.Ordinal))
        {
            Description = update.Description.Value;
            changed = true;
        }

        if (update.Enabled.HasValue && update.Enabled.Value != Enabled)
        {
            Enabled = update.Enabled.Value;
            DisabledReason = null;
            FailingSince = null;
            disabled = !Enabled;
            changed = true;
        }

        if (changed)
        {
            Touch(now);
        }

        return disabled;
    }

    /// <summary>A new current secret; the one it replaces signs beside it for <see cref="WebhookLimits.PreviousSecretLifetime"/>.</summary>
    public string RotateSecret(DateTimeOffset now)
    {
        PreviousSecret = Secret;
        PreviousSecretExpiresAt = UtcTimestamp.From(now + WebhookLimits.PreviousSecretLifetime);
        Secret = WebhookSignature.NewSecret();
        Touch(now);
        return Secret;
    }

    /// <summary>An attempt succeeded: the endpoint is healthy again.</summary>
    public void RecordSuccess()
    {
        if (FailingSince is not null)
        {
            FailingSince = null;
            Version++;
        }
    }

    /// <summary>
    /// An attempt failed at <paramref name="now"/>. An enabled endpoint that has done nothing but fail for
    /// <paramref name="disableAfter"/> is disabled; returns whether this failure disabled it.
    /// </summary>
    public bool RecordFailure(DateTimeOffset now, TimeSpan disableAfter)
    {
        var at = UtcTimestamp.From(now);
        if (FailingSince is null)
        {
            FailingSince = at;
            Version++;
        }

        if (!Enabled || at - FailingSince.Value < disableAfter)
        {
            return false;
        }

        Disable($"Every attempt failed from {FailingSince.Value:yyyy-MM-dd'T'HH:mm:ss'Z'} on, for longer than {disableAfter}.", now);
        return true;
    }

    /// <summary>The endpoint answered 410 Gone: it wants nothing more. Returns whether this disabled it.</summary>
    public bool RecordGone(DateTimeOffset now)
    {
        if (!Enabled)
        {
            return false;
        }

        Disable("The endpoint answered 410 Gone.", now);
        return true;
    }

    private void Disable(string reason, DateTimeOffset now)
    {
        Enabled = false;
        DisabledReason = reason;
        Touch(now);
    }

    private void Touch(DateTimeOffset now)
    {
        var at = UtcTimestamp.From(now);
        UpdatedAt = at < CreatedAt ? CreatedAt : at;
        Version++;
    }

    private static string Join(IEnumerable<string>? eventTypes) =>
        eventTypes is null ? string.Empty : string.Join(' ', eventTypes.Distinct(StringComparer.Ordinal));
}

/// <summary>The fields a PATCH of an endpoint may carry; an absent field is left alone.</summary>
public sealed record WebhookEndpointUpdate(
    Optional<string> Url = default,
    Optional<IReadOnlyList<string>?> EventTypes = default,
    Optional<string?> Description = default,
    Optional<bool> Enabled = default);
