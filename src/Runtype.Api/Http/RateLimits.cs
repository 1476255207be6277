using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Runtype.Api.Auth;
using Runtype.Api.Errors;
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
/// <c>Retry-After</c>. Health, documentation and the dashboard are not limited. The count is per process.
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
        return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = permits,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / permits,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
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
