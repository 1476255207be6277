using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.StreamSessionEvents;
using Runtype.Infrastructure.Persistence.PostgreSql;
using Runtype.Infrastructure.Persistence.Sqlite;
using Runtype.Infrastructure.Sessions;

namespace Runtype.Api.Tests.Sessions;

/// <summary>Counts every database command the host runs (an EF Core command interceptor), the change feed's apart.</summary>
public sealed class CommandCounter : DbCommandInterceptor
{
    private int _feed;
    private int _other;

    public int FeedQueries => Volatile.Read(ref _feed);

    public int OtherCommands => Volatile.Read(ref _other);

    public void Reset()
    {
        Interlocked.Exchange(ref _feed, 0);
        Interlocked.Exchange(ref _other, 0);
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Count(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Count(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Count(command);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Count(command);
        return ValueTask.FromResult(result);
    }

    private void Count(DbCommand command)
    {
        if (command.CommandText.Contains(SessionChangeFeed.QueryTag, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _feed);
        }
        else
        {
            Interlocked.Increment(ref _other);
        }
    }
}

/// <summary>A host whose commands are counted, and whose users may hold many streams.</summary>
public interface ICountedApi
{
    CommandCounter Commands { get; }

    /// <summary>Whether the database pushes changes (PostgreSQL's LISTEN/NOTIFY), so that the feed need not poll.</summary>
    bool PushesChanges { get; }
}

/// <summary>
/// Many streams per user; the webhook dispatcher's own poll (it too runs on the test's clock) out of the counted
/// intervals, so that what is counted is what the streams cost.
/// </summary>
internal static class CountedSettings
{
    public static IReadOnlyDictionary<string, string?> Streams { get; } = new Dictionary<string, string?>
    {
        ["Streams:MaxPerUser"] = "100",
        ["Webhooks:PollInterval"] = "01:00:00",
    };
}

public sealed class CountedSqliteApiFixture : SqliteApiFixture, ICountedApi
{
    public CommandCounter Commands { get; } = new();

    public bool PushesChanges => false;

    protected override IReadOnlyDictionary<string, string?> FeatureSettings { get; } = CountedSettings.Streams;

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureDbContext<SqliteRuntypeDbContext>(options => options.AddInterceptors(Commands));
}

public sealed class CountedPostgreSqlApiFixture(PostgreSqlServer server) : PostgreSqlApiFixture(server), ICountedApi
{
    public CommandCounter Commands { get; } = new();

    public bool PushesChanges => true;

    protected override IReadOnlyDictionary<string, string?> FeatureSettings { get; } = CountedSettings.Streams;

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureDbContext<PostgreSqlRuntypeDbContext>(options => options.AddInterceptors(Commands));
}

/// <summary>
/// The process-wide change feed (contract §9): however many streams are open, the process asks the database one query
/// per poll interval (none on PostgreSQL while it listens), idle streams ask nothing, and a change committed by another
/// process wakes the streams that watch it.
/// </summary>
public abstract class ChangeFeedTests(ApiFixture api)
{
    private const int SessionStreams = 40;
    private const int AllSessionStreams = 10;
    private const int Intervals = 10;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private CommandCounter Commands => ((ICountedApi)api).Commands;

    [Fact]
    public async Task Fifty_idle_streams_cost_one_query_per_poll_interval_and_a_change_wakes_only_its_streams()
    {
        var user = await api.CreateUserAsync();
        var ids = new List<string>();
        for (var i = 0; i < SessionStreams; i++)
        {
            ids.Add((await user.Client.CreateSessionAsync()).Id());
        }

        var streams = new List<EventStreamReader>();
        try
        {
            foreach (var id in ids)
            {
                streams.Add(await EventStreamReader.OpenAsync(user.Client, id));
            }

            for (var i = 0; i < AllSessionStreams; i++)
            {
                streams.Add(await EventStreamReader.OpenPathAsync(user.Client, EventStreamReader.AllSessions));
            }

            // Each stream reads once when it opens; then all are idle.
            var signal = api.Services.GetRequiredService<SessionChangeSignal>();
            await Eventually(() => signal.ListenedSessions == SessionStreams, "every stream to listen");
            if (((ICountedApi)api).PushesChanges)
            {
                // The feed polls once after it starts listening (for what committed before); on the test's clock that
                // round waits for the clock to move: let it run before counting.
                api.Clock.Advance(EventStreamSettings.DefaultPollInterval);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), Token);
            Commands.Reset();

            for (var interval = 1; interval <= Intervals; interval++)
            {
                api.Clock.Advance(EventStreamSettings.DefaultPollInterval);
                if (!((ICountedApi)api).PushesChanges)
                {
                    var expected = interval;
                    await Eventually(() => Commands.FeedQueries >= expected, $"the feed's query of interval {interval}");
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), Token);
            var (feed, other) = (Commands.FeedQueries, Commands.OtherCommands);
            Assert.True(feed <= Intervals, $"{feed} feed queries in {Intervals} poll intervals with {streams.Count} streams open.");
            Assert.True(other == 0, $"Idle streams ran {other} other commands.");
            if (((ICountedApi)api).PushesChanges)
            {
                Assert.Equal(0, feed);
            }

            // A change written behind the API (as by another process): only the streams of that session and of its owner read.
            await AppendBehindTheApiAsync(ids[0], user.UserId);
            Commands.Reset();
            if (!((ICountedApi)api).PushesChanges)
            {
                api.Clock.Advance(EventStreamSettings.DefaultPollInterval);
            }

            var delivered = await streams[0].NextEventAsync();
            Assert.Equal("behind-the-api", delivered.Event);
            foreach (var all in streams.Skip(SessionStreams))
            {
                Assert.Equal("event", (await all.NextEventAsync()).Event);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), Token);

            // The session's stream reads its events (2 queries), each all-sessions stream its changes, the event
            // boundary, the session and the events a page at a time (a few each): not 40 streams' worth.
            Assert.True(Commands.OtherCommands <= 2 + (AllSessionStreams * 6), $"{Commands.OtherCommands} commands after one change.");
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task The_feed_forgets_the_changes_no_poll_reads_again_whether_it_polls_or_listens()
    {
        var user = await api.CreateUserAsync();
        var feed = api.Services.GetRequiredService<SessionChangeFeed>();
        for (var i = 0; i < 20; i++)
        {
            await user.Client.CreateSessionAsync();
        }

        Assert.True(feed.SeenCount >= 20, $"{feed.SeenCount} changes seen");

        // A minute on (past the listener's silence and the lookback), one more change: only it is remembered.
        api.Clock.Advance(TimeSpan.FromMinutes(1));
        await user.Client.CreateSessionAsync();
        var deadline = DateTime.UtcNow + EventStreamReader.Patience;
        while (feed.SeenCount != 1)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{feed.SeenCount} changes still remembered after a minute");
            api.Clock.Advance(EventStreamSettings.DefaultPollInterval);
            await Task.Delay(TimeSpan.FromMilliseconds(50), Token);
        }
    }

    private async Task AppendBehindTheApiAsync(string sessionId, string userId)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var sessions = scope.ServiceProvider.GetRequiredService<ISessionRepository>();
        var session = await sessions.FindAsync(Guid.Parse(sessionId), userId, Token);
        Assert.NotNull(session);
        session.AppendEvent("behind-the-api", null, null, null, api.Clock.GetUtcNow());
        await sessions.SaveChangesAsync(Token);
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + EventStreamReader.Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Waited {EventStreamReader.Patience.TotalSeconds:0} s for {what}, in vain.");
            await Task.Delay(TimeSpan.FromMilliseconds(20), Token);
        }
    }
}
