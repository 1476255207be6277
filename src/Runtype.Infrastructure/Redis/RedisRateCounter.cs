using Runtype.Application.Common;
using StackExchange.Redis;

namespace Runtype.Infrastructure.Redis;

/// <summary>
/// The request budgets of every replica in Redis: one key per bucket, holding the bucket's "theoretical arrival time"
/// (GCRA, the token bucket kept as one number): a bucket of <c>capacity</c> requests gaining one back every
/// <c>refillEvery</c> lets a request through when taking it leaves the time at most a full bucket ahead of now.
/// Read, checked and written by one Lua script (atomic), on Redis's own clock (the replicas' clocks never meet), and
/// the key expires once the bucket would be full again.
/// </summary>
internal sealed class RedisRateCounter(RedisConnection redis) : ISharedRateCounter
{
    private const string KeyPrefix = "runtype:rate:";

    // KEYS[1] the bucket; ARGV[1] capacity, ARGV[2] refill period in microseconds. Returns 0 (allowed) or the wait in µs.
    private const string Take = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local period = tonumber(ARGV[2])
        local burst = tonumber(ARGV[1]) * period
        local tat = tonumber(redis.call('GET', KEYS[1]) or now)
        if tat < now then tat = now end
        local next = tat + period
        if next - now > burst then return next - now - burst end
        redis.call('SET', KEYS[1], next, 'PX', math.ceil((next - now) / 1000))
        return 0
        """;

    public bool IsAvailable => redis.Connected is not null;

    public async Task<RateCount?> TryTakeAsync(string key, int capacity, TimeSpan refillEvery, CancellationToken cancellationToken)
    {
        if (redis.Connected is not { } connection)
        {
            return null;
        }

        try
        {
            var wait = (long)await connection.GetDatabase().ScriptEvaluateAsync(
                Take, [KeyPrefix + key], [capacity, (long)(refillEvery.Ticks / 10)]);
            return wait == 0 ? new RateCount(true, TimeSpan.Zero) : new RateCount(false, TimeSpan.FromTicks(wait * 10));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.Failed(ex);
            return null;
        }
    }
}
