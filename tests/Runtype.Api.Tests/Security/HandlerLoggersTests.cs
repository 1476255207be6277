using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Runtype.Api.Auth;

namespace Runtype.Api.Tests.Security;

/// <summary>The authentication handler, built for every request, gets the logger of its category made once.</summary>
public sealed class HandlerLoggersTests
{
    [Fact]
    public void A_category_s_logger_is_made_once_and_categories_keep_their_own()
    {
        var made = new CountingFactory();
        using var loggers = new HandlerLoggers(made);

        var first = loggers.CreateLogger("Runtype.Api.Auth.BearerAuthenticationHandler");
        var second = loggers.CreateLogger("Runtype.Api.Auth.BearerAuthenticationHandler");
        var other = loggers.CreateLogger("Other");

        Assert.Same(first, second);
        Assert.NotSame(first, other);
        Assert.Equal(2, made.Created);
    }

    private sealed class CountingFactory : ILoggerFactory
    {
        public int Created { get; private set; }

        public ILogger CreateLogger(string categoryName)
        {
            Created++;
            return new Logger<HandlerLoggersTests>(NullLoggerFactory.Instance); // a new object each time
        }

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }
}
