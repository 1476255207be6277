namespace Runtype.Application.Webhooks;

/// <summary>Configuration of webhooks (<c>Webhooks:*</c>).</summary>
/// <param name="Timeout">How long an attempt may take, connection and answer together, before it counts as failed.</param>
/// <param name="RetrySchedule">The delay before each attempt, the first being the first attempt's (after the change).</param>
/// <param name="DisableAfter">An endpoint that has failed every attempt for this long is disabled.</param>
/// <param name="AllowInsecureUrls">Accept <c>http</c> URLs (for development and tests).</param>
/// <param name="AllowPrivateNetworks">Accept hosts on loopback, private and link-local networks (for development and tests).</param>
/// <param name="Retention">Succeeded and failed deliveries, and their messages, are purged after this long.</param>
/// <param name="MaxConcurrency">Attempts one process has in flight at most.</param>
/// <param name="MaxConcurrencyPerEndpoint">Attempts one process has in flight to one endpoint at most: a slow endpoint cannot take every slot.</param>
/// <param name="PollInterval">How often an idle dispatcher looks for deliveries that other processes committed, or that became due.</param>
public sealed record WebhookSettings(
    TimeSpan Timeout,
    IReadOnlyList<TimeSpan> RetrySchedule,
    TimeSpan DisableAfter,
    bool AllowInsecureUrls,
    bool AllowPrivateNetworks,
    TimeSpan Retention,
    int MaxConcurrency,
    int MaxConcurrencyPerEndpoint,
    TimeSpan PollInterval)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    public static readonly IReadOnlyList<TimeSpan> DefaultRetrySchedule =
    [
        TimeSpan.Zero, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(2), TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    public static readonly TimeSpan DefaultDisableAfter = TimeSpan.FromDays(5);
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(30);
    public const int DefaultMaxConcurrency = 128;
    public const int DefaultMaxConcurrencyPerEndpoint = 32;
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

    /// <summary>The longest a receiver's <c>Retry-After</c> is honoured for.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromDays(1);

    /// <summary>What the lease of an attempt adds to <see cref="Timeout"/>: time to record the outcome.</summary>
    public static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(10);

    public static WebhookSettings Default { get; } = new(
        DefaultTimeout, DefaultRetrySchedule, DefaultDisableAfter, false, false, DefaultRetention, DefaultMaxConcurrency,
        DefaultMaxConcurrencyPerEndpoint, DefaultPollInterval);

    /// <summary>How long one attempt is leased: no other dispatcher starts one for the same delivery meanwhile.</summary>
    public TimeSpan LeaseDuration => Timeout + LeaseMargin;

    /// <summary>The fewest free slots a process claims for (a quarter of <see cref="MaxConcurrency"/>): claims come in batches, not one per finished attempt.</summary>
    public int ClaimBatch => Math.Max(1, MaxConcurrency / 4);

    /// <summary>The fewest free slots of one endpoint a claim takes deliveries to it for (a quarter of <see cref="MaxConcurrencyPerEndpoint"/>).</summary>
    public int EndpointBatch => Math.Max(1, MaxConcurrencyPerEndpoint / 4);

    /// <summary>How many more attempts a process may start to an endpoint that has <paramref name="inFlight"/> of them in flight.</summary>
    public int RoomFor(int inFlight) => Math.Max(0, MaxConcurrencyPerEndpoint - inFlight);

    /// <summary>The endpoints of <paramref name="inFlightPerEndpoint"/> that a claim passes over now: less room than <see cref="EndpointBatch"/>.</summary>
    public IReadOnlyCollection<Guid> Saturated(IReadOnlyDictionary<Guid, int> inFlightPerEndpoint) =>
        [.. inFlightPerEndpoint.Where(p => RoomFor(p.Value) < EndpointBatch).Select(p => p.Key)];

    /// <summary>Refuses settings the dispatcher cannot run with, naming the setting.</summary>
    public WebhookSettings Validate()
    {
        Require(Timeout > TimeSpan.Zero, $"Webhooks:Timeout must be positive, not {Timeout}.");
        Require(RetrySchedule.Count > 0, "Webhooks:RetrySchedule must have at least one entry (the delay before the first attempt).");
        Require(RetrySchedule.All(d => d >= TimeSpan.Zero), "Webhooks:RetrySchedule must not have a negative delay.");
        Require(DisableAfter > TimeSpan.Zero, $"Webhooks:DisableAfter must be positive, not {DisableAfter}.");
        Require(Retention > TimeSpan.Zero, $"Webhooks:Retention must be positive, not {Retention}.");
        Require(MaxConcurrency >= 1, $"Webhooks:MaxConcurrency must be 1 or more, not {MaxConcurrency}.");
        Require(MaxConcurrencyPerEndpoint >= 1, $"Webhooks:MaxConcurrencyPerEndpoint must be 1 or more, not {MaxConcurrencyPerEndpoint}.");
        Require(PollInterval > TimeSpan.Zero, $"Webhooks:PollInterval must be positive, not {PollInterval}.");
        return this;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
