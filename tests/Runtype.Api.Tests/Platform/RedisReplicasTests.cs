using System.Diagnostics;
using System.Net;
using Runtype.Api.Cli;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Platform;

/// <summary>
/// Two real replicas over one database (a SQLite file: no LISTEN/NOTIFY, so only Redis can carry a change between
/// them sooner than a poll) and one real Redis (<c>RUNTYPE_TEST_REDIS</c>, a throwaway server: <c>.ci/redis.sh start</c>).
/// The poll interval is 30 s, so a change that crosses in well under that crossed by Redis.
/// </summary>
public sealed class TwoReplicasWithRedis() : TwoReplicas(new SqliteProcessDatabase())
{
    public const int PermitsPerMinute = 10;
    public const int StreamsPerUser = 3;
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(30);

    /// <summary>host:port of the test Redis, or null.</summary>
    public static string? Address => Environment.GetEnvironmentVariable("RUNTYPE_TEST_REDIS") is { Length: > 0 } a ? a : null;

    protected override string? SkipReason =>
        Address is null ? "RUNTYPE_TEST_REDIS is not set: no Redis to share the replicas' counts (eval \"$(.ci/redis.sh start)\" sets it)" : base.SkipReason;

    protected override IEnumerable<string> MoreSettings =>
    [
        "--Redis:Configuration", Address ?? string.Empty,
        "--Streams:PollInterval", PollInterval.ToString(),
        "--Streams:MaxPerUser", StreamsPerUser.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--RateLimiting:PermitsPerMinute", PermitsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ];
}

public sealed class RedisReplicasTests(TwoReplicasWithRedis replicas) : IClassFixture<TwoReplicasWithRedis>
{
    /// <summary>Well under the poll interval: only Redis explains a delivery this quick.</summary>
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(3);

    private readonly TwoReplicas _replicas = replicas.RequireDatabase();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_rate_limit_of_a_credential_is_counted_once_for_both_replicas()
    {
        var key = await NewKeyAsync("user_redis_rate");
        using var a = _replicas.A.CreateClient(key);
        using var b = _replicas.B.CreateClient(key);

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 30; i++)
        {
            answers.Add(await (i % 2 == 0 ? a : b).GetAsync(Wire.Sessions, Token));
        }

        // A bucket of 10 gains one back every 6 s: 10, or 11 should the run cross a refill (each process alone: 20).
        var passed = answers.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.InRange(passed, TwoReplicasWithRedis.PermitsPerMinute, TwoReplicasWithRedis.PermitsPerMinute + 1);
        Assert.All(answers.Where(r => r.StatusCode != HttpStatusCode.OK), r =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode);
            Assert.InRange(int.Parse(r.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 6);
        });
        Assert.Contains(answers, r => r.StatusCode == HttpStatusCode.TooManyRequests && r.RequestMessage!.RequestUri!.Port == _replicas.B.Address.Port);
        Assert.Contains(answers, r => r.StatusCode == HttpStatusCode.TooManyRequests && r.RequestMessage!.RequestUri!.Port == _replicas.A.Address.Port);
        answers.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task The_stream_cap_of_a_user_is_counted_once_for_both_replicas_and_a_closed_stream_frees_its_slot()
    {
        var key = await NewKeyAsync("user_redis_cap");
        using var a = _replicas.A.CreateClient(key);
        using var b = _replicas.B.CreateClient(key);
        var streams = new List<EventStreamReader>();
        try
        {
            streams.Add(await EventStreamReader.OpenPathAsync(a, EventStreamReader.AllSessions));
            streams.Add(await EventStreamReader.OpenPathAsync(b, EventStreamReader.AllSessions));
            streams.Add(await EventStreamReader.OpenPathAsync(a, EventStreamReader.AllSessions));

            // The fourth, on either replica: over the cap of 3 (each process alone would let B hold 3).
            using (var refused = await EventStreamReader.RequestPathAsync(b, EventStreamReader.AllSessions))
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
                Assert.NotNull(refused.Headers.RetryAfter);
            }

            // One closed on A: B may open one.
            await streams[0].DisposeAsync();
            streams.RemoveAt(0);
            await Eventually(async () =>
            {
                var opened = await EventStreamReader.RequestPathAsync(b, EventStreamReader.AllSessions);
                if (opened.StatusCode == HttpStatusCode.OK)
                {
                    streams.Add(EventStreamReader.Read(opened));
                    return true;
                }

                opened.Dispose();
                return false;
            }, "a slot freed on A to be taken on B");
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
    public async Task An_event_appended_on_one_replica_reaches_a_stream_on_the_other_well_under_the_poll_interval()
    {
        var key = await NewKeyAsync("user_redis_live");
        using var a = _replicas.A.CreateClient(key);
        using var b = _replicas.B.CreateClient(key);
        var id = (await a.CreateSessionAsync()).Id();
        await using var events = await EventStreamReader.OpenAsync(a, id);
        await using var all = await EventStreamReader.OpenPathAsync(a, EventStreamReader.AllSessions);

        for (var i = 1; i <= 3; i++)
        {
            var clock = Stopwatch.StartNew();
            using var appended = await b.PostJsonAsync($"{Wire.Sessions}/{id}/events", $$$"""{"type":"progress","payload":{"n":{{{i}}}}}""");
            Assert.Equal(HttpStatusCode.Created, appended.StatusCode);
            var delivered = await events.NextEventAsync();
            var elapsed = clock.Elapsed;

            Assert.Equal((await appended.ReadJsonAsync()).Id(), delivered.Id);
            Assert.True(elapsed < Quick, $"Delivered after {elapsed.TotalMilliseconds:0} ms (poll interval {TwoReplicasWithRedis.PollInterval.TotalSeconds} s).");
            Assert.Equal("event", (await all.NextEventAsync()).Event);
            Assert.Equal("session", (await all.NextEventAsync()).Event);
        }
    }

    [Fact]
    public async Task Redis_stopped_and_started_again_the_replicas_keep_serving_lose_no_event_and_recover_by_themselves()
    {
        var key = await NewKeyAsync("user_redis_outage");
        using var a = _replicas.A.CreateClient(key);
        using var b = _replicas.B.CreateClient(key);
        var id = (await a.CreateSessionAsync()).Id();
        await using var events = await EventStreamReader.OpenAsync(a, id);

        await StopRedisAsync();
        try
        {
            await EventuallyReady(a, "Degraded");
            await EventuallyReady(b, "Degraded");

            // Served meanwhile: no 500, the limits counted per process.
            using var appended = await b.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress","message":"during the outage"}""");
            Assert.Equal(HttpStatusCode.Created, appended.StatusCode);
            var read = await b.GetSessionAsync(id);
            Assert.Equal(id, read.Id());
            using var another = await EventStreamReader.RequestPathAsync(b, EventStreamReader.AllSessions);
            Assert.Equal(HttpStatusCode.OK, another.StatusCode);
            another.Dispose();

            // Redis back: the replicas reconnect, catch up at once on what they could not publish, and say Healthy.
            var clock = Stopwatch.StartNew();
            await StartRedisAsync();
            var delivered = await events.NextEventAsync();
            Assert.Equal((await appended.ReadJsonAsync()).Id(), delivered.Id);
            Assert.True(clock.Elapsed < TwoReplicasWithRedis.PollInterval - TimeSpan.FromSeconds(10), $"Caught up after {clock.Elapsed.TotalSeconds:0.0} s.");
            await EventuallyReady(a, "Healthy");
            await EventuallyReady(b, "Healthy");

            // And the backplane carries changes again.
            clock.Restart();
            using var after = await b.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress","message":"after the outage"}""");
            Assert.Equal((await after.ReadJsonAsync()).Id(), (await events.NextEventAsync()).Id);
            Assert.True(clock.Elapsed < Quick, $"Delivered after {clock.Elapsed.TotalMilliseconds:0} ms once Redis was back.");
            Assert.DoesNotContain(" 500 ", _replicas.A.Log + _replicas.B.Log, StringComparison.Ordinal);

            // Said once per outage, each way, by each replica (however many commands failed meanwhile).
            foreach (var replica in new[] { _replicas.A, _replicas.B })
            {
                Assert.Equal(1, Occurrences(replica.Log, "Redis cannot be reached"));
                Assert.Equal(1, Occurrences(replica.Log, "Redis can be reached again"));
            }
        }
        finally
        {
            await StartRedisAsync(); // whatever failed, the next tests get their Redis back
        }
    }

    private static int Occurrences(string text, string what) => text.Split(what).Length - 1;

    private async Task<string> NewKeyAsync(string user)
    {
        var created = await _replicas.KeysAsync("create", "--user", $"{user}_{Guid.NewGuid():N}"[..40]);
        Assert.True(created.Code == CommandLine.Ok, created.Error);
        return created.LastLine;
    }

    private static (string Host, string Port) Server
    {
        get
        {
            var address = TwoReplicasWithRedis.Address!;
            return (address[..address.LastIndexOf(':')], address[(address.LastIndexOf(':') + 1)..]);
        }
    }

    private static async Task StopRedisAsync()
    {
        await RunAsync("redis-cli", "-h", Server.Host, "-p", Server.Port, "shutdown", "nosave");
        await Eventually(async () => (await RunAsync("redis-cli", "-h", Server.Host, "-p", Server.Port, "ping")) != 0, "Redis to stop");
    }

    /// <summary>Starts the test Redis again on its port (as .ci/redis.sh does), unless it runs.</summary>
    private static async Task StartRedisAsync()
    {
        if (await RunAsync("redis-cli", "-h", Server.Host, "-p", Server.Port, "ping") == 0)
        {
            return;
        }

        var dir = Directory.CreateTempSubdirectory("runtype-redis-").FullName;
        await RunAsync("redis-server", "--port", Server.Port, "--bind", Server.Host, "--save", "", "--appendonly", "no", "--daemonize", "yes", "--dir", dir);
        await Eventually(async () => await RunAsync("redis-cli", "-h", Server.Host, "-p", Server.Port, "ping") == 0, "Redis to start");
    }

    private static async Task<int> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        await process.StandardOutput.ReadToEndAsync(Token);
        await process.WaitForExitAsync(Token);
        return process.ExitCode == 0 && !(await process.StandardError.ReadToEndAsync(Token)).Contains("Could not connect", StringComparison.Ordinal) ? 0 : 1;
    }

    private static Task EventuallyReady(HttpClient client, string status) => Eventually(async () =>
    {
        using var ready = await client.GetAsync("/health/ready", Token);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        return await ready.Content.ReadAsStringAsync(Token) == status;
    }, $"/health/ready to say {status}");

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), $"Waited 20 s for {what}.");
            await Task.Delay(100, Token);
        }
    }
}
