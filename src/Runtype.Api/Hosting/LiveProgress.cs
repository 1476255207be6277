using Microsoft.Net.Http.Headers;
using Runtype.Api.Errors;
using Runtype.Application.Sessions.StreamSessionEvents;

namespace Runtype.Api.Hosting;

/// <summary>The live-progress features: stream settings (<c>Streams:*</c>) and the dashboard's static files.</summary>
public static class LiveProgress
{
    /// <summary>Answers of the dashboard's files: scripts and styles only from this origin, no framing, no referrer.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /// <summary>
    /// Adds the stream settings, and the API's problem writer ahead of the framework's: every problem is written as
    /// <c>application/problem+json</c> whatever the request's <c>Accept</c> (an event-stream client's, a browser's).
    /// The framework's writers would decline such a request, or, for a controller's endpoint, negotiate a content
    /// type against <c>[Produces]</c>, find none, and send the error with an empty body.
    /// </summary>
    public static IServiceCollection AddLiveProgress(this IServiceCollection services)
    {
        services.AddSingleton(provider => ReadStreamSettings(provider.GetRequiredService<IConfiguration>()));
        services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, ProblemJsonFallbackWriter>());
        return services;
    }

    /// <summary>
    /// Reads <c>Streams:MaxPerUser</c>, <c>Streams:PollInterval</c>, <c>Streams:HeartbeatInterval</c>, <c>Streams:MaxDuration</c>,
    /// <c>Streams:WriteTimeout</c> and <c>Streams:MaxPagesInMemory</c>.
    /// </summary>
    public static EventStreamSettings ReadStreamSettings(IConfiguration configuration) =>
        new EventStreamSettings(
            configuration.GetValue("Streams:MaxPerUser", EventStreamSettings.DefaultMaxPerUser),
            configuration.GetValue("Streams:PollInterval", EventStreamSettings.DefaultPollInterval),
            configuration.GetValue("Streams:HeartbeatInterval", EventStreamSettings.DefaultHeartbeatInterval),
            configuration.GetValue("Streams:MaxDuration", EventStreamSettings.DefaultMaxDuration),
            configuration.GetValue("Streams:WriteTimeout", EventStreamSettings.DefaultWriteTimeout),
            configuration.GetValue("Streams:MaxPagesInMemory", EventStreamSettings.DefaultMaxPagesInMemory))
        .Validate();

    /// <summary>
    /// The dashboard: the files of wwwroot, <c>/</c> answered with <c>index.html</c>, no credentials needed. Only
    /// files that exist are answered, and never in place of an API route, so an unknown address is still a 404
    /// problem (no fallback page).
    /// </summary>
    public static void UseDashboard(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers[HeaderNames.CacheControl] = "no-cache";
                headers["Referrer-Policy"] = "no-referrer";
            },
        });
    }
}
