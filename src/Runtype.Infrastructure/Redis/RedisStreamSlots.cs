using Microsoft.Extensions.Hosting;
using Runtype.Application.Sessions.StreamSessionEvents;
using StackExchange.Redis;

namespace Runtype.Infrastructure.Redis;

/// <summary>
/// The stream slots of every replica in Redis: a sorted set per user whose members are the open streams' slots,
/// each scored with the time its lease runs out. Taking a slot drops the expired ones, counts the rest and adds the
/// new one only under the cap, in one Lua script (atomic), on Redis's clock. This process renews the leases of the
/// slots it holds every <see cref="Renewal"/> (and writes them again should Redis have lost them, e.g. restarted), so
/// the slots of a process that died free themselves within <see cref="Lease"/>.
/// </summary>
internal sealed class RedisStreamSlots(RedisConnection redis) : BackgroundService, ISharedStreamSlots
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan Renewal = TimeSpan.FromSeconds(10);

    private const string KeyPrefix = "runtype:streams:";

    // KEYS[1] the user's set; ARGV[1] the slot, ARGV[2] the cap, ARGV[3] the lease in ms. Returns 1 (taken) or 0.
    private const string Acquire = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """;

    // KEYS[1] the user's set; ARGV[1] the lease in ms, ARGV[2..] the slots this process holds.
    private const string Renew = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i]) end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 0
        """;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<string>> _held = new(StringComparer.Ordinal);

    public async Task<bool?> TryAcquireAsync(string userId, string slotId, int limit, CancellationToken cancellationToken)
    {
        if (redis.Connected is not { } connection)
        {
            return null;
        }

        try
        {
            var taken = (long)await connection.GetDatabase().ScriptEvaluateAsync(
                Acquire, [KeyPrefix + userId], [slotId, limit, (long)Lease.TotalMilliseconds]);
            if (taken == 1)
            {
                lock (_gate)
                {
                    if (!_held.TryGetValue(userId, out var slots))
                    {
                        _held[userId] = slots = new HashSet<string>(StringComparer.Ordinal);
                    }

                    slots.Add(slotId);
                }
            }

            return taken == 1;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.Failed(ex);
            return null;
        }
    }

    public void Release(string userId, string slotId)
    {
        lock (_gate)
        {
            if (_held.TryGetValue(userId, out var slots) && slots.Remove(slotId) && slots.Count == 0)
            {
                _held.Remove(userId);
            }
        }

        // Best effort: while Redis cannot be reached the slot's lease runs out instead.
        try
        {
            redis.Connected?.GetDatabase().SortedSetRemove(KeyPrefix + userId, slotId, CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.Failed(ex);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Renewal);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (redis.Connected is not { } connection)
            {
                continue;
            }

            List<(string User, RedisValue[] Slots)> held;
            lock (_gate)
            {
                held = _held.Select(h => (h.Key, h.Value.Select(s => (RedisValue)s).ToArray())).ToList();
            }

            try
            {
                var database = connection.GetDatabase();
                await Task.WhenAll(held.Select(h =>
                    database.ScriptEvaluateAsync(Renew, [KeyPrefix + h.User], [(long)Lease.TotalMilliseconds, .. h.Slots])));
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                redis.Failed(ex);
            }
        }
    }
}
