using Serilog;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Templates;

namespace Runtype.Api.Hosting;

/// <summary>
/// The logs (Serilog, one sink: the console). <c>Logging:Json</c> true: one compact JSON object per line (<c>@t</c>,
/// <c>@l</c>, <c>@m</c>, <c>@x</c> with an exception, <c>@tr</c>/<c>@sp</c> when the line belongs to a trace, and the
/// event's properties);
/// otherwise one text line per event, ending with <c>traceId=…</c> only when it has one. Levels:
/// <c>Serilog:MinimumLevel:*</c> (appsettings.Development.json shows Debug for the service's own categories). One line
/// per request when it completes, at Information; health probes, scrapes and 304s at Debug; a 5xx at Error.
/// </summary>
public static class Logging
{
    /// <summary>One JSON object per line: timestamp, level, rendered message, exception, trace and span ids when present, properties.</summary>
    private const string JsonTemplate = "{ {@t, @l, @m, @x, @tr, @sp, ..@p} }\n";

    private const string TextTemplate = "[{@t:HH:mm:ss.fff} {@l:u3}] {@m}{#if @tr is not null} traceId={@tr}{#end}\n{#if @x is not null}{@x}\n{#end}";

    public static IServiceCollection AddApiLogging(this IServiceCollection services, bool commandLineMode)
    {
        services.AddSerilog((provider, logger) =>
        {
            var configuration = provider.GetRequiredService<IConfiguration>();
            logger.MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
                .MinimumLevel.Override("System", LogEventLevel.Warning)
                .MinimumLevel.Override("Runtype.Api.Auth", LogEventLevel.Warning)
                .ReadFrom.Configuration(configuration)
                .ReadFrom.Services(provider)
                .Enrich.FromLogContext();
            ITextFormatter format = configuration.GetValue("Logging:Json", false)
                ? new ExpressionTemplate(JsonTemplate)
                : new ExpressionTemplate(TextTemplate);
            if (commandLineMode)
            {
                // stdout belongs to the command's output (the new key is its last line).
                logger.MinimumLevel.Warning().WriteTo.Console(format, standardErrorFromLevel: LogEventLevel.Verbose);
            }
            else
            {
                // Requests hand their log line to a queue and go on; one background thread formats and writes the lines
                // (a console write, under the console's lock, is the slowest part of a request's logging). The queue
                // holds 10,000 lines; should it fill up, requests wait for room rather than lose lines.
                logger.WriteTo.Async(sink => sink.Console(format), bufferSize: 10_000, blockWhenFull: true);
            }
        });
        return services;
    }

    /// <summary>One line per request: <c>HTTP GET /path responded 200 in 1.2 ms</c>.</summary>
    public static void UseApiRequestLogging(this WebApplication app) =>
        app.UseSerilogRequestLogging(options =>
        {
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";
            options.GetLevel = (context, _, exception) => exception is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Error
                : context.Response.StatusCode == StatusCodes.Status304NotModified || Telemetry.IsProbe(context.Request.Path) ? LogEventLevel.Debug
                : LogEventLevel.Information;
        });
}
