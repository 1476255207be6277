using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Runtype.Api.Auth;
using Runtype.Api.Errors;
using Runtype.Api.Http;
using Runtype.Api.OpenApi;
using Runtype.Application;
using Runtype.Application.Common;
using Runtype.Application.Common.Idempotency;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.CreateSession;
using Runtype.Application.Webhooks;
using Runtype.Infrastructure;
using Runtype.Infrastructure.Persistence;
using Scalar.AspNetCore;

namespace Runtype.Api.Hosting;

/// <summary>Composition root: services, middleware and endpoints of the API host.</summary>
public static class ApiHost
{
    public const string DefaultUrl = "http://localhost:5080";

    /// <summary>The longest <c>/health/ready</c> waits for the database before it answers 503 (a probe must not hang).</summary>
    public static readonly TimeSpan ReadinessTimeout = TimeSpan.FromSeconds(5);

    private const string DatabaseCheck = "database";

    public static WebApplication Build(string[] args, bool commandLineMode)
    {
        // The application's own folder, not the working directory: its appsettings.json and the dashboard's files
        // (wwwroot) are found wherever it is started from (`dotnet /opt/runtype/Runtype.Api.dll`).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            ServerLimits.Apply(kestrel.Limits, context.Configuration);
        });

        AddServices(builder.Services, builder.Configuration, commandLineMode);
        // Operability: Hosting/CrossOrigin.cs, Compression.cs, Telemetry.cs (the server's only)
        builder.Services.AddCrossOrigin(builder.Configuration).AddCompression();
        if (!commandLineMode)
        {
            builder.Services.AddTelemetry(builder.Configuration);
        }

        var app = builder.Build();
        UsePipeline(app);
        return app;
    }

    private static void AddServices(IServiceCollection services, IConfiguration configuration, bool commandLineMode)
    {
        services.AddApiLogging(commandLineMode);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(provider => new SessionSettings(
            provider.GetRequiredService<IConfiguration>().GetValue("Sessions:TimeToLive", SessionSettings.DefaultTimeToLive)));
        services.AddSingleton(provider => new IdempotencySettings(
            provider.GetRequiredService<IConfiguration>().GetValue("Idempotency:Retention", IdempotencySettings.DefaultRetention)));
        services.AddApplication();
        services.AddInfrastructure(configuration);
        services.AddMediator((MediatorOptions options) =>
        {
            options.Namespace = "Runtype.Api.Mediator";
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.Assemblies = [typeof(CreateSession)];
            options.PipelineBehaviors =
            [
                typeof(WebhookDispatchBehavior<,>), typeof(SessionChangeNotificationBehavior<,>), typeof(ValidationBehavior<,>),
                typeof(TransactionBehavior<,>), typeof(IdempotencyBehavior<,>),
            ];
        });
        services.AddHostedService<DatabaseMigrationService>();

        services.AddProblemDetails(options => options.CustomizeProblemDetails = context => ApiProblems.Complete(context.ProblemDetails, context.HttpContext));
        services.AddExceptionHandler<ExceptionProblems>();
        services.AddSingleton<ModelStateProblems>();
        services.AddControllers(options =>
            {
                options.SuppressImplicitRequiredAttributeForNonNullableReferenceTypes = true;
                options.Filters.Add<IdempotentReplayHeader>();
                options.Filters.Add<JsonContentType>();
                options.ModelBinderProviders.Insert(0, new QueryValues());
                options.ModelMetadataDetailsProviders.Add(new DescriptiveAnnotations());

                // The API binds JSON bodies, the route and the query string, never a form: without this, a body sent as
                // application/x-www-form-urlencoded or multipart/form-data would be parsed on any call, and a form key
                // that is not valid jQuery syntax ("a[b") throws inside MVC's binder (a 500, not the caller's 4xx).
                options.ValueProviderFactories.RemoveType<FormValueProviderFactory>();
                options.ValueProviderFactories.RemoveType<JQueryFormValueProviderFactory>();
                options.ValueProviderFactories.RemoveType<FormFileValueProviderFactory>();
            })
            .AddJsonOptions(options => ApiJson.Configure(options.JsonSerializerOptions))
            .ConfigureApiBehaviorOptions(options =>
            {
                options.InvalidModelStateResponseFactory = context => context.HttpContext.RequestServices.GetRequiredService<ModelStateProblems>().Create(context);

                // A bare 4xx from MVC (e.g. 415 for a body sent without Content-Type) is left body-less here and written by
                // UseStatusCodePages through the problem-details service, as application/problem+json like every error;
                // MVC's own mapping would write it as application/json ([Produces] on the controller wins there).
                options.SuppressMapClientErrors = true;
            });
        services.ConfigureHttpJsonOptions(options => ApiJson.Configure(options.SerializerOptions));
        services.Configure<RouteOptions>(options => options.SetParameterPolicy<UuidRouteConstraint>(UuidRouteConstraint.Name));
        services.AddSingleton(provider => new ResponseJson(provider.GetRequiredService<IOptions<JsonOptions>>().Value.JsonSerializerOptions));
        services.AddLiveProgress();

        services.AddSingleton(provider => JwtSettings.Read(provider.GetRequiredService<IConfiguration>()));
        services.AddSingleton<JwksCache>();
        services.AddSingleton<SessionTokenValidator>();
        services.AddSingleton<HandlerLoggers>();
        services.AddHttpClient(JwksCache.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(CallerClaims.ReadPolicy, policy => policy.RequireAuthenticatedUser().RequireClaim(CallerClaims.Scope, CallerClaims.ReadPolicy))
            .AddPolicy(CallerClaims.WritePolicy, policy => policy.RequireAuthenticatedUser().RequireClaim(CallerClaims.Scope, CallerClaims.WritePolicy))
            .AddPolicy(CallerClaims.WebhooksReadPolicy, policy => policy.RequireAuthenticatedUser().RequireClaim(CallerClaims.Scope, CallerClaims.WebhooksReadPolicy))
            .AddPolicy(CallerClaims.WebhooksWritePolicy, policy => policy.RequireAuthenticatedUser().RequireClaim(CallerClaims.Scope, CallerClaims.WebhooksWritePolicy));

        services.AddApiRateLimits();
        services.AddSingleton<DatabaseReadinessCheck>();
        services.AddHealthChecks().AddCheck<DatabaseReadinessCheck>(DatabaseCheck, tags: ["ready"], timeout: ReadinessTimeout);
        services.AddApiDocument();
    }

    private static Task SetNoSniff(object response)
    {
        ((HttpResponse)response).Headers.XContentTypeOptions = "nosniff";
        return Task.CompletedTask;
    }

    private static void UsePipeline(WebApplication app)
    {
        app.UseApiRequestLogging();
        app.UseCrossOrigin();
        app.UseResponseCompression();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use((context, next) =>
        {
            // On starting, so that error responses (whose headers the exception handler resets) carry it too.
            context.Response.OnStarting(SetNoSniff, context.Response);
            return next(context);
        });
        app.UseDashboard();
        app.UseMiddleware<RequestBodyLimit>();
        app.UseMiddleware<DatabaseConnectionPerCall>();
        app.UseAuthentication();
        if (app.Services.GetRequiredService<RateLimitSettings>().PermitsPerMinute > 0)
        {
            app.UseRateLimiter(); // off (0): not in the pipeline at all, rather than asked for a no-limit lease on every call
        }

        app.UseAuthorization();

        app.MapControllers();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResultStatusCodes = { [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable },
        });
        app.MapTelemetry();
        app.MapOpenApi(OpenApiSetup.DocumentPath);
        app.MapScalarApiReference(OpenApiSetup.ReferencePagePath, options => options
            .WithTitle("Runtype Sessions API")
            .WithOpenApiRoutePattern(OpenApiSetup.DocumentPath));
    }
}

/// <summary>Applies migrations before the server starts listening, unless <c>Database:MigrateOnStartup</c> is false.</summary>
internal sealed class DatabaseMigrationService(IServiceScopeFactory scopes, DatabaseOptions options) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (!options.MigrateOnStartup)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
