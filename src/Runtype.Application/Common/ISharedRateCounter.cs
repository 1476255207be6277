namespace Runtype.Application.Common;

/// <summary>
/// The request budgets of the credentials counted once for every replica (Redis), so that the rate limit holds for a
/// caller whichever replicas their requests reach. The API's rate limiter decides what a budget is (its capacity and
/// how fast it refills); this only counts.
/// </summary>
public interface ISharedRateCounter
{
    /// <summary>False while the shared count cannot be reached: the limiter then counts in this process alone.</summary>
    bool IsAvailable { get; }

    /// <summary>
    /// Takes one request from bucket <paramref name="key"/>, which holds <paramref name="capacity"/> requests and gains one
    /// back every <paramref name="refillEvery"/>: null when the shared count cannot be reached now.
    /// </summary>
    Task<RateCount?> TryTakeAsync(string key, int capacity, TimeSpan refillEvery, CancellationToken cancellationToken);
}

/// <summary>What the shared count answered: whether the request may go, and if not, when the next one may.</summary>
public readonly record struct RateCount(bool Allowed, TimeSpan RetryAfter);
