using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;
using Runtype.Api.Cli;
using Runtype.Api.Hosting;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Reliability;

/// <summary>
/// A storage stall, for real: the server process's SQLite file lives on a loop-mounted file system that the test
/// freezes while a write is in flight, so that write blocks in I/O (uninterruptibly) until the thaw. Meanwhile reads of
/// other sessions and the list answer at once (a key used for the first time included: its lastUsedAt is not written
/// on the call's path), a live stream opened meanwhile sends its events, <c>/health/ready</c> answers within its own
/// bound, a second write gets its 503 within the busy timeout, and no thread-pool thread but the stuck writer's waits
/// on the frozen file system (the background services' and the streams' reads included: a few blocked pool threads
/// starve a two-core machine, and every call with them). After the thaw the stuck write is complete, the refused one
/// absent, the file intact and the service back by itself.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class StorageStallTests : IAsyncLifetime
{
    /// <summary>A read while a write is stuck: it needs nothing the writer holds.</summary>
    private static readonly TimeSpan ReadBound = TimeSpan.FromSeconds(2);

    /// <summary>The readiness probe's own bound (ApiHost.ReadinessTimeout), with slack for a busy machine.</summary>
    private static readonly TimeSpan ReadyBound = ApiHost.ReadinessTimeout + TimeSpan.FromSeconds(2);

    /// <summary>A write behind the stuck one: the 5 s busy timeout (SqliteDatabase), with slack for a busy machine.</summary>
    private static readonly TimeSpan WriteBound = TimeSpan.FromSeconds(7.5);

    /// <summary>How long any call is waited for while frozen, so that the test itself never hangs on a regression.</summary>
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(12);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("runtype-stall-");
    private LoopFileSystem? _fileSystem;
    private ApiServer? _server;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_fileSystem is not null)
        {
            await _fileSystem.ThawAsync(); // before anything is stopped: a process blocked on the frozen file system cannot die
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        if (_fileSystem is not null)
        {
            await _fileSystem.DisposeAsync();
        }

        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task With_one_write_stuck_in_io_reads_readiness_and_other_writes_answer_within_their_bounds()
    {
        (_fileSystem, var reason) = await LoopFileSystem.TryMountAsync(_folder);
        Assert.SkipWhen(_fileSystem is null, reason ?? "");
        var database = Path.Combine(_fileSystem!.MountPoint, "runtype.db");
        string[] settings =
        [
            "--Database:Provider", "Sqlite", "--ConnectionStrings:Runtype", $"Data Source={database}",
            "--RateLimiting:PermitsPerMinute", "0", "--Serilog:MinimumLevel:Default", "Warning",
        ];
        var writerKey = await CreateKeyAsync("user_stall_writer", settings);
        var readerKey = await CreateKeyAsync("user_stall_reader", settings);
        var freshKey = await CreateKeyAsync("user_stall_reader", settings); // first used while the file system is frozen
        _server = await ApiProcess.StartServerAsync(CancellationToken.None, settings);

        using var writer = _server.CreateClient(writerKey);
        using var reader = _server.CreateClient(readerKey);
        using var fresh = _server.CreateClient(freshKey);
        using var anonymous = _server.CreateClient();
        var stuckId = (await writer.CreateSessionAsync()).Id();
        var readId = (await reader.CreateSessionAsync("""{"prd":{"kept":true}}""")).Id();
        var otherId = (await reader.CreateSessionAsync()).Id();
        using (var appended = await reader.PostJsonAsync($"{Wire.Sessions}/{readId}/events", """{"type":"before the stall"}"""))
        {
            Assert.Equal(HttpStatusCode.Created, appended.StatusCode);
        }

        var stateBefore = (await reader.GetSessionAsync(readId)).GetRawText();

        // Every call once before the stall: what is measured below is waiting, not a first call's compilation.
        await writer.UpdateSessionAsync(stuckId, """{"plan":{"written":"before"}}""");
        foreach (var warm in new[] { Wire.Sessions, $"{Wire.Sessions}?status=intake", $"{Wire.Sessions}/{otherId}", $"{Wire.Sessions}/{readId}/events?limit=10", "/health/ready" })
        {
            using var response = await reader.GetAsync(warm, Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Task<(HttpResponseMessage? Response, TimeSpan Elapsed)> stuck;
        var probes = new List<(string Name, HttpResponseMessage? Response, TimeSpan Elapsed)>();
        var stalledThreads = 0;
        var poolThreadsInIo = 0;
        var threadsInIo = "";
        await _fileSystem.FreezeAsync();
        try
        {
            stuck = Timed(() => writer.PatchJsonAsync($"{Wire.Sessions}/{stuckId}", """{"plan":{"written":"while frozen"}}"""), TimeSpan.FromSeconds(60));
            stalledThreads = await WaitForThreadsInIoAsync(_server.ProcessId);
            Assert.True(stalledThreads > 0, "no thread of the server blocked on the frozen file system");
            Assert.False(stuck.IsCompleted, "the write was answered although the file system is frozen");

            // Everything at once: reads of other sessions (a key of the reader's that was never used before among them),
            // the list, health, and a second write, which queues behind the stuck one.
            var calls = new (string Name, Func<Task<HttpResponseMessage>> Call)[]
            {
                ("get", () => reader.GetAsync($"{Wire.Sessions}/{readId}", Token)),
                ("get other", () => reader.GetAsync($"{Wire.Sessions}/{otherId}", Token)),
                ("list", () => reader.GetAsync(Wire.Sessions, Token)),
                ("list by status", () => reader.GetAsync($"{Wire.Sessions}?status=intake", Token)),
                ("get with a new key", () => fresh.GetAsync($"{Wire.Sessions}/{otherId}", Token)),
                ("list with a new key", () => fresh.GetAsync(Wire.Sessions, Token)),
                ("events page", () => reader.GetAsync($"{Wire.Sessions}/{readId}/events?limit=10", Token)),
                ("stream's first event", () => FirstStreamEventAsync(reader, readId)),
                ("live", () => anonymous.GetAsync("/health/live", Token)),
                ("ready", () => anonymous.GetAsync("/health/ready", Token)),
                ("second write", () => reader.PatchJsonAsync($"{Wire.Sessions}/{readId}", """{"plan":{"refused":true}}""")),
            };
            var answers = await Task.WhenAll(calls.Select(c => Timed(c.Call, GiveUp)));
            probes.AddRange(calls.Zip(answers, (c, a) => (c.Name, a.Response, a.Elapsed)));
            (poolThreadsInIo, threadsInIo) = await ThreadsStillInIoAsync(_server.ProcessId);

            // Still frozen: a read and a probe again (the probe waits for the check still stuck, not a thread more, within its bound).
            var again = new (string Name, Func<Task<HttpResponseMessage>> Call)[]
            {
                ("get again", () => reader.GetAsync($"{Wire.Sessions}/{otherId}", Token)),
                ("ready again", () => anonymous.GetAsync("/health/ready", Token)),
            };
            var answersAgain = await Task.WhenAll(again.Select(c => Timed(c.Call, GiveUp)));
            probes.AddRange(again.Zip(answersAgain, (c, a) => (c.Name, a.Response, a.Elapsed)));
            Assert.False(stuck.IsCompleted, "the stuck write was answered before the thaw: the stall did not last through the calls");
        }
        finally
        {
            await _fileSystem.ThawAsync();
        }

        var problems = new List<string>();
        foreach (var (name, response, elapsed) in probes)
        {
            var status = response is null ? "no answer" : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var (expected, bound) = name switch
            {
                "ready" or "ready again" => (response?.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, ReadyBound),
                "second write" => (response?.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter?.Delta > TimeSpan.Zero, WriteBound),
                _ => (response?.StatusCode == HttpStatusCode.OK, ReadBound),
            };
            if (!expected || elapsed >= bound)
            {
                problems.Add($"{name}: {status} in {elapsed.TotalSeconds:0.00} s (bound {bound.TotalSeconds:0.0} s)");
            }
        }

        if (poolThreadsInIo > 1)
        {
            problems.Add($"{poolThreadsInIo} thread-pool threads blocked on the frozen file system, where only the stuck writer's may be");
        }

        var all = string.Join(", ", probes.Select(p => $"{p.Name} {(int?)p.Response?.StatusCode} {p.Elapsed.TotalMilliseconds:0} ms"));
        Assert.True(problems.Count == 0, $"while one write was stuck in I/O:\n{string.Join('\n', problems)}\n(all: {all}; threads in I/O after the calls: {threadsInIo})\n{_server.Log}");
        var refused = probes.Single(p => p.Name == "second write").Response!;
        await refused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "database_unavailable");

        // Thawed: the stuck write completes as answered, the refused one never happened, the new key's use is stored,
        // the file is intact and the service is back by itself.
        var (stuckResponse, stuckElapsed) = await stuck;
        Assert.NotNull(stuckResponse);
        Assert.Equal(HttpStatusCode.OK, stuckResponse.StatusCode);
        Assert.Equal("""{"written":"while frozen"}""", (await writer.GetSessionAsync(stuckId)).GetProperty("plan").GetRawText());
        Assert.Equal(stateBefore, (await reader.GetSessionAsync(readId)).GetRawText());
        await WaitUntilAsync(async () => (await anonymous.GetAsync("/health/ready", Token)).StatusCode == HttpStatusCode.OK, "ready after the thaw");
        await reader.UpdateSessionAsync(readId, """{"status":"planning"}""");
        using (var appended = await writer.PostJsonAsync($"{Wire.Sessions}/{stuckId}/events", """{"type":"after the thaw"}"""))
        {
            Assert.Equal(HttpStatusCode.Created, appended.StatusCode);
        }

        await WaitUntilAsync(() => Task.FromResult(LastUsedAt(database, freshKey) is not null), "the new key's lastUsedAt stored after the thaw");
        Assert.Equal("ok", Scalar(database, "PRAGMA integrity_check"));

        var reads = probes.Where(p => p.Name is not ("ready" or "ready again" or "second write" or "live" or "stream's first event")).ToList();
        Figures.Report(
            $"storage stall: one write stuck in I/O {stuckElapsed.TotalSeconds:0.0} s (file system frozen, {stalledThreads} server thread(s) blocked; after the calls: {threadsInIo}); "
            + $"meanwhile {reads.Count} reads 200 in {reads.Max(r => r.Elapsed).TotalMilliseconds:0} ms at most, "
            + $"a stream's first event {Describe(probes, "stream's first event")}, ready {Describe(probes, "ready")} then {Describe(probes, "ready again")}, live {Describe(probes, "live")}, "
            + $"second write {Describe(probes, "second write")} (busy timeout 5 s); after the thaw: stuck write 200 and stored, refused write absent, integrity ok, ready 200");
    }

    private static string Describe(List<(string Name, HttpResponseMessage? Response, TimeSpan Elapsed)> probes, string name)
    {
        var probe = probes.Single(p => p.Name == name);
        return $"{(int?)probe.Response?.StatusCode} in {probe.Elapsed.TotalSeconds:0.00} s";
    }

    private static async Task<string> CreateKeyAsync(string user, string[] settings)
    {
        var created = await ApiProcess.RunAsync(CancellationToken.None, ["keys", "create", "--user", user, .. settings]);
        Assert.True(created.Code == CommandLine.Ok, created.Error);
        return created.LastLine;
    }

    /// <summary>A call and how long it took; no answer (null) after <paramref name="giveUp"/>.</summary>
    private static async Task<(HttpResponseMessage? Response, TimeSpan Elapsed)> Timed(Func<Task<HttpResponseMessage>> call, TimeSpan giveUp)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var response = await call().WaitAsync(giveUp, Token);
            await response.Content.LoadIntoBufferAsync(Token);
            return (response, clock.Elapsed);
        }
        catch (TimeoutException)
        {
            return (null, clock.Elapsed);
        }
    }

    /// <summary>Opens the session's live stream and waits for its first event (the one appended before the stall).</summary>
    private static async Task<HttpResponseMessage> FirstStreamEventAsync(HttpClient client, string sessionId)
    {
        await using var stream = await EventStreamReader.OpenAsync(client, sessionId);
        var first = await stream.NextEventAsync();
        Assert.Contains("before the stall", first.Data, StringComparison.Ordinal);
        return new HttpResponseMessage(stream.Response.StatusCode);
    }

    /// <summary>
    /// The process's threads that stay in uninterruptible sleep (state D) over five looks 100 ms apart: how many of them
    /// are the thread pool's, and all of them by name. A thread seen once may only have been faulting a page in.
    /// </summary>
    private static async Task<(int PoolThreads, string Names)> ThreadsStillInIoAsync(int processId)
    {
        HashSet<string>? stuck = null;
        for (var look = 0; look < 5; look++)
        {
            var now = ThreadsInIo(processId);
            stuck = stuck is null ? now : [.. stuck.Intersect(now)];
            await Task.Delay(100, Token);
        }

        var names = stuck!.Select(t => t[(t.IndexOf(' ', StringComparison.Ordinal) + 1)..]).ToList();
        var described = names.Count == 0 ? "none" : string.Join(", ", names.GroupBy(n => n).Select(g => $"{g.Key} ×{g.Count()}"));
        return (names.Count(n => n.StartsWith(".NET TP Worker", StringComparison.Ordinal)), described);
    }

    /// <summary>How many threads of the process are in uninterruptible sleep (state D), once there is one (at most 10 s).</summary>
    private static async Task<int> WaitForThreadsInIoAsync(int processId)
    {
        for (var waited = 0; waited < 10_000; waited += 50)
        {
            if (ThreadsInIo(processId).Count is > 0 and var blocked)
            {
                return blocked;
            }

            await Task.Delay(50, Token);
        }

        return 0;
    }

    /// <summary>The process's threads in uninterruptible sleep (state D) now, each as its id and name.</summary>
    private static HashSet<string> ThreadsInIo(int processId)
    {
        var blocked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in Directory.GetDirectories($"/proc/{processId}/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('D'))
                {
                    blocked.Add($"{Path.GetFileName(task)} {File.ReadAllText(Path.Combine(task, "comm")).Trim()}");
                }
            }
            catch (IOException)
            {
                // the thread ended
            }
        }

        return blocked;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"not within 15 s: {what}");
            await Task.Delay(100, Token);
        }
    }

    private static object? LastUsedAt(string database, string key) =>
        Scalar(database, "SELECT last_used_at FROM api_keys WHERE id = $id", key.Split('_')[1]);

    private static object? Scalar(string database, string sql, string? id = null)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (id is not null)
        {
            command.Parameters.AddWithValue("$id", id);
        }

        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }
}
