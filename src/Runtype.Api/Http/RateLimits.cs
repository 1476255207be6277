using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Runtype.Api.Auth;
using Runtype.Api.Errors;
using Runtype.Application.Common;
using Runtype.Application.Common.Telemetry;

namespace Runtype.Api.Http;

/// <summary>Configuration <c>RateLimiting:PermitsPerMinute</c> (0 turns limiting off).</summary>
public sealed record RateLimitSettings(int PermitsPerMinute)
{
    public const int DefaultPermitsPerMinute = 600;
}

/// <summary>
/// Requests to the API (<c>/v1</c>) are limited per credential's user (per client address before authentication):
/// a token bucket holding a minute's permits, refilled evenly. Over the limit: 429 problem+json with
/// <c>Retry-After</c>. Health, documentation and the dashboard are not limited. With Redis configured
/// (<see cref="ISharedRateCounter"/>) the same bucket is counted in Redis for all replicas; without it, or while Redis
/// cannot be reached, per process.
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddApiRateLimits(this IServiceCollection services)
    {
        services.AddSingleton(provider => new RateLimitSettings(
            provider.GetRequiredService<IConfiguration>().GetValue("RateLimiting:PermitsPerMinute", RateLimitSettings.DefaultPermitsPerMinute)));
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(Partition);
            options.OnRejected = RejectAsync;
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext context)
    {
        var permits = context.RequestServices.GetRequiredService<RateLimitSettings>().PermitsPerMinute;
        if (permits <= 0 || !context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase))
        {
            return RateLimitPartition.GetNoLimiter(string.Empty);
        }

        var user = context.User.FindFirstValue(CallerClaims.UserId);
        var key = user is not null ? $"user:{user}" : $"address:{context.Connection.RemoteIpAddress}";
        // The one place that says what a credential's budget is: a minute's permits, one back every minute / permits.
        var options = new TokenBucketRateLimiterOptions
        {
            TokenLimit = permits,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / permits,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        return context.RequestServices.GetService<ISharedRateCounter>() is { } shared
            ? RateLimitPartition.Get(key, k => new SharedTokenBucket(k, options, shared))
            : RateLimitPartition.GetTokenBucketLimiter(key, _ => options);
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        context.RequestServices.GetRequiredService<RuntypeMetrics>().RateLimited();
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = ApiProblems.Create(
                StatusCodes.Status429TooManyRequests,
                $"Too many requests for this credential. Retry after {seconds} s.",
                "rate_limited",
                "Too Many Requests"),
        });
    }
}

/// <summary>
/// A credential's token bucket counted in Redis for all replicas (<see cref="ISharedRateCounter"/>), with the same
/// capacity and refill as the process's own bucket, which counts instead while Redis cannot be reached. The synchronous
/// attempt never decides while Redis is up (the middleware then asks <see cref="AcquireAsyncCore"/>, which asks Redis).
/// </summary>
internal sealed class SharedTokenBucket(string key, TokenBucketRateLimiterOptions options, ISharedRateCounter shared) : RateLimiter
{
    private readonly TokenBucketRateLimiter _local = new(options);
    private long _lastUsed = Stopwatch.GetTimestamp();
    private int _inFlight;

    /// <summary>Idle (and so disposable by the partitioned limiter) only between requests, and as the local bucket is.</summary>
    public override TimeSpan? IdleDuration =>
        Volatile.Read(ref _inFlight) > 0 || _local.IdleDuration is null
            ? null
            : Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => _local.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount) =>
        permitCount == 0 || !shared.IsAvailable ? _local.AttemptAcquire(permitCount) : Answer.Ask;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            var counted = permitCount == 0
                ? null
                : await shared.TryTakeAsync(key, options.TokenLimit, options.ReplenishmentPeriod, cancellationToken);
            return counted switch
            {
                null => await _local.AcquireAsync(permitCount, cancellationToken),
                { Allowed: true } => Answer.Granted,
                { RetryAfter: var wait } => new Answer(false, wait),
            };
        }
        finally
        {
            Interlocked.Exchange(ref _lastUsed, Stopwatch.GetTimestamp());
            Interlocked.Decrement(ref _inFlight);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _local.Dispose();
        }

        base.Dispose(disposing);
    }

    private sealed class Answer(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Answer Granted = new(true, null);

        /// <summary>Not decided here: ask asynchronously.</summary>
        public static readonly Answer Ask = new(false, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
