using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Runtype.Application.Sessions;
using Runtype.Infrastructure.Sessions;
using StackExchange.Redis;

namespace Runtype.Infrastructure.Redis;

/// <summary>
/// The replicas' backplane for live progress: each session change this process commits is published on one Redis
/// channel (<see cref="Channel"/>) right after the commit, and each change another replica published is handed to
/// this process's change feed (<see cref="SessionChangeFeed.Deliver"/>), which wakes the streams that watch it at once.
/// Publishing never waits for Redis (fire and forget): a change it drops while Redis cannot be reached is found by the
/// feed's poll. When a replica's connection is back it asks every replica, itself included, to poll at once, so what
/// was published into the void is caught up on without waiting for the poll interval.
/// </summary>
internal sealed partial class RedisSessionChanges(RedisConnection redis, SessionChangeFeed feed, ILogger<RedisSessionChanges> logger)
    : IHostedService, ISessionChangeObserver
{
    private static readonly RedisChannel Channel = RedisChannel.Literal("runtype:session-changes");

    /// <summary>This process, to pass over its own messages (their streams were woken at the commit).</summary>
    private readonly string _origin = Guid.NewGuid().ToString("N");

    private int _subscribed;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        redis.SubscriptionRestored += OnRestored;
        await TrySubscribeAsync();
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        redis.SubscriptionRestored -= OnRestored;
        return Task.CompletedTask;
    }

    public void OnCommitted(IReadOnlyList<SessionChanged> changes) =>
        Publish(new Message(_origin, changes, CatchUp: false));

    private void Publish(Message message)
    {
        if (redis.Connected is not { } connection)
        {
            return;
        }

        try
        {
            connection.GetSubscriber().Publish(Channel, JsonSerializer.SerializeToUtf8Bytes(message), CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.Failed(ex);
        }
    }

    private void OnRestored()
    {
        _ = TrySubscribeAsync();
        feed.PollNow();
        Publish(new Message(_origin, [], CatchUp: true));
    }

    /// <summary>Subscribes once; the library keeps the subscription across reconnects.</summary>
    private async Task TrySubscribeAsync()
    {
        if (redis.Connected is not { } connection || Interlocked.Exchange(ref _subscribed, 1) == 1)
        {
            return;
        }

        try
        {
            await connection.GetSubscriber().SubscribeAsync(Channel, (_, payload) => Receive(payload));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Interlocked.Exchange(ref _subscribed, 0); // again once the connection is back
            redis.Failed(ex);
        }
    }

    private void Receive(RedisValue payload)
    {
        Message? message;
        try
        {
            message = JsonSerializer.Deserialize<Message>((byte[])payload!);
        }
        catch (JsonException ex)
        {
            LogUnreadable(logger, ex);
            return;
        }

        if (message is null || message.Origin == _origin)
        {
            return;
        }

        if (message.CatchUp)
        {
            feed.PollNow();
        }

        foreach (var change in message.Changes)
        {
            feed.Deliver(change);
        }
    }

    private sealed record Message(string Origin, IReadOnlyList<SessionChanged> Changes, bool CatchUp);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message on the session changes channel could not be read; it is passed over")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);
}
