using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace Runtype.Sessions.Client;

/// <summary>Registers <see cref="IRuntypeSessionsClient"/> over <see cref="IHttpClientFactory"/>.</summary>
public static class RuntypeSessionsServiceCollectionExtensions
{
    /// <summary>The name of the client's <see cref="HttpClient"/> and of its resilience pipeline.</summary>
    public const string HttpClientName = "Runtype.Sessions.Client";

    /// <summary>
    /// Registers <see cref="IRuntypeSessionsClient"/>: a typed client whose <see cref="HttpClient"/> comes from
    /// <see cref="IHttpClientFactory"/>, sends the API key as <c>Authorization: Bearer</c>, and retries transient
    /// failures (Microsoft.Extensions.Http.Resilience; see <see cref="RuntypeSessionsClientOptions.MaxRetries"/>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets <see cref="RuntypeSessionsClientOptions.BaseAddress"/> and <see cref="RuntypeSessionsClientOptions.ApiKey"/>, and optionally the rest.</param>
    /// <returns>The HTTP client builder, to add handlers or change the primary handler.</returns>
    public static IHttpClientBuilder AddRuntypeSessionsClient(this IServiceCollection services, Action<RuntypeSessionsClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RuntypeSessionsClientOptions>()
            .Configure(configure)
            .Validate(o => o.BaseAddress is { IsAbsoluteUri: true }, "RuntypeSessionsClientOptions.BaseAddress must be an absolute URI.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ApiKey), "RuntypeSessionsClientOptions.ApiKey is required.")
            .Validate(o => o.MaxRetries >= 0 && o.AttemptTimeout > TimeSpan.Zero, "MaxRetries must be 0 or more and AttemptTimeout positive.");
        services.TryAddTransient<BearerTokenHandler>();

        var builder = services.AddHttpClient<IRuntypeSessionsClient, RuntypeSessionsClient>(HttpClientName, (provider, http) =>
            {
                var options = provider.GetRequiredService<IOptions<RuntypeSessionsClientOptions>>().Value;
                var address = options.BaseAddress!.ToString();
                http.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");

                // Each attempt has its own timeout in the pipeline below; the event stream has none once it flows.
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddHttpMessageHandler<BearerTokenHandler>();
        builder.AddResilienceHandler(HttpClientName, static (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<RuntypeSessionsClientOptions>>().Value;
            if (options.MaxRetries > 0)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = options.MaxRetries,
                    Delay = options.RetryDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldRetryAfterHeader = true,
                    ShouldHandle = static args => ValueTask.FromResult(IsTransient(args.Outcome, args.Context.GetRequestMessage())),
                });
            }

            pipeline.AddTimeout(options.AttemptTimeout);
        });
        return builder;
    }

    /// <summary>
    /// 429 and 503 mean the server did nothing (rate limited, database unavailable): any call may be repeated. A
    /// failure without an answer (connection, timeout) may have happened after the server acted: only calls that are
    /// safe to repeat are retried then — reads, and requests that carry an <c>Idempotency-Key</c> (the same key, so the
    /// server replays its first answer).
    /// </summary>
    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request)
    {
        if (outcome.Result is { } response)
        {
            return response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;
        }

        var repeatable = request is not null
            && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Headers.Contains("Idempotency-Key"));
        return repeatable && outcome.Exception is HttpRequestException or TimeoutRejectedException;
    }

    /// <summary>Adds <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    private sealed class BearerTokenHandler(IOptions<RuntypeSessionsClientOptions> options) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.ApiKey);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
