using System.Collections.Concurrent;

namespace Runtype.Api.Auth;

/// <summary>
/// The logger factory the authentication handler is built with: one logger per category, made once. ASP.NET Core
/// builds an authentication handler for every request, and its base class asks for its logger in the constructor;
/// Serilog's factory makes a new logger (with its own source-context enricher) on every such call.
/// </summary>
public sealed class HandlerLoggers(ILoggerFactory loggers) : ILoggerFactory
{
    private readonly ConcurrentDictionary<string, ILogger> _byCategory = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) => _byCategory.GetOrAdd(categoryName, loggers.CreateLogger);

    public void AddProvider(ILoggerProvider provider) => loggers.AddProvider(provider);

    public void Dispose()
    {
        // The host owns the factory this one wraps.
    }
}
