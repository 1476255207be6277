using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Application.Webhooks;

namespace Runtype.Infrastructure.Webhooks;

/// <summary>The webhook stores, the dispatcher and its HTTP client (<c>Webhooks:*</c>).</summary>
internal static class WebhookSetup
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddSingleton(sp => ReadSettings(sp.GetRequiredService<IConfiguration>()));
        services.AddScoped<IWebhookEndpointRepository, WebhookEndpointRepository>();
        services.AddScoped<IWebhookQueries, WebhookQueries>();
        services.AddScoped<IWebhookDeliveryRepository, WebhookDeliveryRepository>();
        services.AddSingleton<IHostAddresses, DnsHostAddresses>();
        services.AddSingleton<WebhookConnections>();
        services.AddSingleton<WebhookSender>();
        services.AddHttpClient(WebhookSender.ClientName, client =>
            {
                // Each attempt has its own timeout (WebhookSettings.Timeout), connection and answer together.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd(WebhookSender.UserAgent);
            })
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.None,
                ConnectCallback = sp.GetRequiredService<WebhookConnections>().ConnectAsync,
            });
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }

    /// <summary>Reads <c>Webhooks:*</c>; the defaults are <see cref="WebhookSettings.Default"/>'s.</summary>
    public static WebhookSettings ReadSettings(IConfiguration configuration)
    {
        var defaults = WebhookSettings.Default;
        var schedule = configuration.GetSection("Webhooks:RetrySchedule").Get<TimeSpan[]>();
        return new WebhookSettings(
                configuration.GetValue("Webhooks:Timeout", defaults.Timeout),
                schedule is { Length: > 0 } ? schedule : defaults.RetrySchedule,
                configuration.GetValue("Webhooks:DisableAfter", defaults.DisableAfter),
                configuration.GetValue("Webhooks:AllowInsecureUrls", defaults.AllowInsecureUrls),
                configuration.GetValue("Webhooks:AllowPrivateNetworks", defaults.AllowPrivateNetworks),
                configuration.GetValue("Webhooks:Retention", defaults.Retention),
                configuration.GetValue("Webhooks:MaxConcurrency", defaults.MaxConcurrency),
                configuration.GetValue("Webhooks:MaxConcurrencyPerEndpoint", defaults.MaxConcurrencyPerEndpoint),
                configuration.GetValue("Webhooks:PollInterval", defaults.PollInterval))
            .Validate();
    }
}
