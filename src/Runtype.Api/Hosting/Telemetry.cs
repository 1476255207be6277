using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Runtype.Application.Common.Telemetry;

namespace Runtype.Api.Hosting;

/// <summary>Configuration <c>Telemetry:*</c> and the standard <c>OTEL_*</c> variables (docs/observability.md).</summary>
public sealed record TelemetrySettings(bool Otlp, bool Prometheus)
{
    public const string ServiceName = "runtype-sessions";

    public const string ScrapePath = "/metrics";

    public static TelemetrySettings Read(IConfiguration configuration) =>
        new(!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]), configuration.GetValue("Telemetry:Prometheus", false));
}

/// <summary>
/// OpenTelemetry: traces of ASP.NET Core, outgoing HTTP (the JWKS fetch, webhooks) and EF Core's commands (every
/// provider), and metrics of ASP.NET Core, outgoing HTTP, the .NET runtime and the service's own meter
/// (<see cref="RuntypeMetrics"/>). The OTLP exporter is on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (with the
/// other <c>OTEL_*</c> variables it reads itself: protocol, headers, service name, resource attributes); the Prometheus
/// scrape endpoint <c>/metrics</c> when <c>Telemetry:Prometheus</c> is true. With neither, nothing is collected, at no
/// cost to a request. Trace ids in logs and problem details are the ones the traces carry.
/// </summary>
public static class Telemetry
{
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = TelemetrySettings.Read(configuration);
        services.AddSingleton(settings);
        if (!settings.Otlp && !settings.Prometheus)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(TelemetrySettings.ServiceName));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation().AddMeter(RuntypeMetrics.MeterName);
            if (settings.Otlp)
            {
                metrics.AddOtlpExporter();
            }

            if (settings.Prometheus)
            {
                // Every scrape sees the counters as they are now (the exporter would otherwise answer from a cache).
                metrics.AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0);
            }
        });
        if (settings.Otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation()
                .AddOtlpExporter());
        }

        return services;
    }

    /// <summary>The scrape endpoint, when <c>Telemetry:Prometheus</c> is true: no credentials, not rate limited.</summary>
    public static void MapTelemetry(this WebApplication app)
    {
        if (app.Services.GetService<TelemetrySettings>() is { Prometheus: true })
        {
            app.MapPrometheusScrapingEndpoint(TelemetrySettings.ScrapePath);
        }
    }

    /// <summary>Health probes and scrapes: frequent, and of no interest as traces or request log lines.</summary>
    public static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments(TelemetrySettings.ScrapePath, StringComparison.OrdinalIgnoreCase);
}
