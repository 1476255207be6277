using FluentValidation;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Application.ApiKeys.CreateApiKey;
using Runtype.Application.Common.Idempotency;
using Runtype.Application.Common.Telemetry;
using Runtype.Application.Sessions.AppendSessionEvent;
using Runtype.Application.Sessions.CreateSession;
using Runtype.Application.Sessions.ListSessionEvents;
using Runtype.Application.Sessions.ListSessions;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.StreamSessionChanges;
using Runtype.Application.Sessions.StreamSessionEvents;
using Runtype.Application.Sessions.UpdateSession;
using Runtype.Application.Webhooks;
using Runtype.Application.Webhooks.CreateWebhookEndpoint;
using Runtype.Application.Webhooks.ListWebhookDeliveries;
using Runtype.Application.Webhooks.ListWebhookEndpoints;
using Runtype.Application.Webhooks.UpdateWebhookEndpoint;

namespace Runtype.Application;

public static class DependencyInjection
{
    /// <summary>The validators, listed one by one (no assembly scanning), and per-request state. Handlers are registered by the Mediator source generator.</summary>
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        services.AddSingleton<IValidator<CreateSession>, CreateSessionValidator>();
        services.AddSingleton<IValidator<ListSessions>, ListSessionsValidator>();
        services.AddSingleton<IValidator<UpdateSession>, UpdateSessionValidator>();
        services.AddSingleton<IValidator<AppendSessionEvent>, AppendSessionEventValidator>();
        services.AddSingleton<IValidator<CreateApiKey>, CreateApiKeyValidator>();
        services.AddSingleton<IValidator<ListSessionEvents>, ListSessionEventsValidator>();
        services.AddSingleton<IValidator<OpenSessionEventStream>, OpenSessionEventStreamValidator>();
        services.AddSingleton<IValidator<OpenSessionChangeStream>, OpenSessionChangeStreamValidator>();
        services.AddSingleton<SessionChangeSignal>();
        services.AddScoped<ChangedSessions>();
        services.AddSingleton<EventStreamLimiter>();
        services.AddScoped<IdempotencyOutcome>();
        services.AddSingleton<RuntypeMetrics>();
        services.AddScoped<PendingMeasurements>();

        services.AddSingleton<IValidator<CreateWebhookEndpoint>, CreateWebhookEndpointValidator>();
        services.AddSingleton<IValidator<UpdateWebhookEndpoint>, UpdateWebhookEndpointValidator>();
        services.AddSingleton<IValidator<ListWebhookEndpoints>, ListWebhookEndpointsValidator>();
        services.AddSingleton<IValidator<ListWebhookDeliveries>, ListWebhookDeliveriesValidator>();
        services.AddSingleton<WebhookUrls>();
        services.AddSingleton<WebhookDispatchSignal>();
        services.AddScoped<WebhookDispatchRequest>();
        services.AddScoped<WebhookOutbox>();
        services.AddScoped<SessionWebhooks>();
        return services;
    }
}
