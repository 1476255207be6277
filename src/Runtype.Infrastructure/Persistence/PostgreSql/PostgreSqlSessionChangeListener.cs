using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using Runtype.Application.Sessions;
using Runtype.Infrastructure.Sessions;

namespace Runtype.Infrastructure.Persistence.PostgreSql;

/// <summary>
/// PostgreSQL's push of committed session changes: the <c>tr_sessions_notify</c> trigger (ChangeFeed migration) sends
/// <c>NOTIFY runtype_session_changes</c> with the session's id, version and owner in every transaction that writes a
/// session, delivered once it commits; this listener holds one connection of its own (outside the pool, on
/// <c>ConnectionStrings:RuntypeListener</c> when set) in <c>LISTEN</c>, and wakes the streams of each session named.
/// A lost connection is opened again (after 1 s, then up to 30 s apart) and said once per outage; while it is down, and
/// once after each start, the change feed polls (<see cref="SessionChangeFeed"/>).
/// </summary>
internal sealed partial class PostgreSqlSessionChangeListener(DatabaseOptions options, ILogger<PostgreSqlSessionChangeListener> logger) : ISessionChangeListener
{
    public const string Channel = "runtype_session_changes";

    /// <summary>The <c>application_name</c> of the listening connection (to find it in <c>pg_stat_activity</c>).</summary>
    public const string ApplicationName = "runtype-change-listener";

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);

    private long _epoch;

    public long ListeningEpoch => Interlocked.Read(ref _epoch);

    public async Task RunAsync(Action<SessionChanged> deliver, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(options.ListenerConnectionString ?? options.ConnectionString)
        {
            Pooling = false,
            Multiplexing = false,
            KeepAlive = 15, // an idle LISTEN connection to a server that went away is noticed within seconds
        };
        builder.ApplicationName ??= ApplicationName;
        var (started, retry, failing) = (0L, FirstRetry, false);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                connection.Notification += (_, e) => Deliver(e.Payload, deliver);
                await connection.OpenAsync(cancellationToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken);
                }

                Interlocked.Exchange(ref _epoch, ++started);
                if (failing)
                {
                    LogListeningAgain(logger);
                }

                (retry, failing) = (FirstRetry, false);
                while (true)
                {
                    await connection.WaitAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
            {
                Interlocked.Exchange(ref _epoch, 0);
                if (!failing)
                {
                    failing = true;
                    LogNotListening(logger, ex);
                }
            }

            try
            {
                await Task.Delay(retry, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LongestRetry.Ticks));
        }

        Interlocked.Exchange(ref _epoch, 0);
    }

    /// <summary>The trigger's payload: <c>&lt;id&gt; &lt;version&gt; &lt;u|d&gt; &lt;unix ms&gt; &lt;user id&gt;</c> (the user id last: it may hold spaces).</summary>
    internal static SessionChanged? Parse(string payload)
    {
        var parts = payload.Split(' ', 5);
        return parts.Length == 5 && Guid.TryParse(parts[0], out var sessionId)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            && parts[2] is "u" or "d"
            && long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            ? new SessionChanged(sessionId, parts[4], version, DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime, Deleted: parts[2] == "d")
            : null;
    }

    private static void Deliver(string payload, Action<SessionChanged> deliver)
    {
        if (Parse(payload) is { } change)
        {
            deliver(change);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The PostgreSQL change listener lost its connection; live streams learn of other processes' changes by polling until it is back")]
    private static partial void LogNotListening(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The PostgreSQL change listener listens again")]
    private static partial void LogListeningAgain(ILogger logger);
}
