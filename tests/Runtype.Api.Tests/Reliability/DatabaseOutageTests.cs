using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;
using Runtype.Api.Cli;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Reliability;

/// <summary>
/// The database taken away from a running server process, for real: its file moved away, its file deleted, or its
/// write lock held by another process. Every call answers 503 problem+json with <c>Retry-After</c> within a bound
/// (never a 500, never a hang), <c>/health/ready</c> says unhealthy while <c>/health/live</c> stays healthy, no empty
/// database appears in the file's place, and the service recovers by itself once the database is back.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    /// <summary>The longest any call may take during an outage: the 5 s busy timeout (SqliteDatabase) plus slack for a busy machine.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("runtype-outage-");
    private ApiServer _server = null!;
    private string _key = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string DatabasePath => Path.Combine(_folder.FullName, "runtype.db");

    private string[] Settings =>
    [
        "--Database:Provider", "Sqlite", "--ConnectionStrings:Runtype", $"Data Source={DatabasePath}",
        "--RateLimiting:PermitsPerMinute", "0", "--Serilog:MinimumLevel:Default", "Warning",
    ];

    public async ValueTask InitializeAsync()
    {
        var created = await ApiProcess.RunAsync(CancellationToken.None, ["keys", "create", "--user", "user_outage", .. Settings]);
        Assert.True(created.Code == CommandLine.Ok, created.Error);
        _key = created.LastLine;
        _server = await ApiProcess.StartServerAsync(CancellationToken.None, Settings);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    public enum Damage
    {
        FileMovedAway,
        FileDeleted,
    }

    [Theory]
    [InlineData(Damage.FileMovedAway)]
    [InlineData(Damage.FileDeleted)]
    public async Task Without_its_file_every_call_is_503_until_the_file_is_back_and_nothing_is_created_in_its_place(Damage damage)
    {
        using var client = _server.CreateClient(_key);
        var session = await client.CreateSessionAsync("""{"prd":{"kept":true}}""");
        var id = session.Id();
        using var appended = await client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress"}""");
        var eventId = (await appended.ReadJsonAsync()).Id();
        using var before = await client.GetAsync($"{Wire.Sessions}/{id}", Token);
        var stateBefore = await before.ReadTextAsync();

        var away = Directory.CreateDirectory(Path.Combine(_folder.FullName, "away"));
        var files = new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm" };
        if (damage == Damage.FileMovedAway)
        {
            foreach (var file in files.Where(File.Exists))
            {
                File.Move(file, Path.Combine(away.FullName, Path.GetFileName(file)));
            }
        }
        else
        {
            // The operator's backup, taken live with SQLite's online backup; then the files are gone.
            using (var source = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=False"))
            using (var backup = new SqliteConnection($"Data Source={Path.Combine(away.FullName, "runtype.db")};Pooling=False"))
            {
                source.Open();
                backup.Open();
                source.BackupDatabase(backup);
            }

            foreach (var file in files.Where(File.Exists))
            {
                File.Delete(file);
            }
        }

        // Twice: the first round meets the connections the server had pooled, the second new ones.
        var answers = new List<TimeSpan>();
        for (var pass = 0; pass < 2; pass++)
        {
            answers.AddRange(await AssertEveryCallIsUnavailableAsync(client, id, eventId));
        }

        Assert.False(File.Exists(DatabasePath), "A database file was created in the missing one's place.");

        foreach (var file in away.GetFiles())
        {
            file.MoveTo(Path.Combine(_folder.FullName, file.Name));
        }

        await WaitUntilReadyAsync();
        using var after = await client.GetAsync($"{Wire.Sessions}/{id}", Token);
        Assert.Equal(stateBefore, await after.ReadTextAsync());
        using var list = await client.GetAsync(Wire.Sessions, Token);
        Assert.Equal(id, Assert.Single((await list.ReadJsonAsync()).GetProperty("data").EnumerateArray()).Id());
        await client.UpdateSessionAsync(id, """{"status":"planning"}""");
        Figures.Report($"outage ({damage}): {answers.Count} calls answered 503 problem+json with Retry-After, slowest in {answers.Max().TotalMilliseconds:0} ms; ready 503, live 200; recovered by itself");
    }

    [Fact]
    public async Task A_write_lock_held_by_another_process_makes_writes_503_within_the_busy_timeout_while_reads_go_on()
    {
        using var client = _server.CreateClient(_key);
        var id = (await client.CreateSessionAsync()).Id();

        // Another process (this test) takes SQLite's write lock and keeps it.
        await using var locker = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await locker.OpenAsync(Token);
        await using (var begin = locker.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE; INSERT INTO api_keys SELECT * FROM api_keys WHERE 0;";
            await begin.ExecuteNonQueryAsync(Token);
        }

        // 24 writers at once (the server's threads must not starve), plus reads and health checks meanwhile.
        var writes = Enumerable.Range(0, 24).Select(i => (i % 3) switch
        {
            0 => Timed(() => client.PostJsonAsync(Wire.Sessions, "{}")),
            1 => Timed(() => client.PatchJsonAsync($"{Wire.Sessions}/{id}", "{\"plan\":{\"n\":" + i + "}}")),
            _ => Timed(() => client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress"}""")),
        }).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(1), Token);
        var live = await Timed(() => client.GetAsync("/health/live", Token));
        var read = await Timed(() => client.GetAsync($"{Wire.Sessions}/{id}", Token));
        var ready = await Timed(() => client.GetAsync("/health/ready", Token));
        var answered = await Task.WhenAll(writes);

        await using (var rollback = locker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync(Token);
        }

        foreach (var (response, elapsed) in answered)
        {
            await AssertUnavailableAsync(response, elapsed);
        }

        Assert.Equal(HttpStatusCode.OK, live.Response.StatusCode);
        Assert.True(live.Elapsed < TimeSpan.FromSeconds(2), $"/health/live took {live.Elapsed} while writers waited for the lock");
        Assert.Equal(HttpStatusCode.OK, read.Response.StatusCode);
        Assert.True(read.Elapsed < TimeSpan.FromSeconds(2), $"a read took {read.Elapsed} while writers waited for the lock");
        Assert.Equal(HttpStatusCode.OK, ready.Response.StatusCode);

        // Released: writes go through again, and none of the refused ones happened.
        var after = await client.UpdateSessionAsync(id, """{"status":"planning"}""");
        using var details = await client.GetAsync($"{Wire.Sessions}/{id}", Token);
        var events = (await details.ReadJsonAsync()).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToArray();
        Assert.Equal(["status_changed"], events);
        Assert.Equal("null", after.GetProperty("plan").GetRawText());
        using var list = await client.GetAsync(Wire.Sessions, Token);
        Assert.Equal(1, (await list.ReadJsonAsync()).GetProperty("pagination").GetProperty("total").GetInt32());

        // Every pooled context serves again (calls one after the other go through the whole pool): a write whose
        // BEGIN failed on the lock must not leave its context counting the connection as open.
        for (var i = 0; i < 64; i++)
        {
            using var appended = await client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress"}""");
            Assert.Equal(HttpStatusCode.Created, appended.StatusCode);
        }

        Figures.Report($"write lock: {answered.Length} concurrent writes answered 503 with Retry-After in {answered.Min(a => a.Elapsed).TotalSeconds:0.0}–{answered.Max(a => a.Elapsed).TotalSeconds:0.0} s (busy timeout 5 s); reads {read.Elapsed.TotalMilliseconds:0} ms, live {live.Elapsed.TotalMilliseconds:0} ms meanwhile");
    }

    private static async Task<(HttpResponseMessage Response, TimeSpan Elapsed)> Timed(Func<Task<HttpResponseMessage>> call)
    {
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(Bound + TimeSpan.FromSeconds(20));
        var response = await call().WaitAsync(timeout.Token);
        await response.Content.LoadIntoBufferAsync(timeout.Token);
        return (response, clock.Elapsed);
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response, TimeSpan elapsed, string? call = null)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "database_unavailable");
        Assert.True(response.Headers.RetryAfter?.Delta is { } wait && wait > TimeSpan.Zero, $"{call}: no Retry-After: {problem}");
        Assert.True(elapsed < Bound, $"{call} took {elapsed}, over the {Bound} bound");
    }

    /// <summary>Every call of the API, the event stream included, and the readiness probe; returns how long each took.</summary>
    private async Task<List<TimeSpan>> AssertEveryCallIsUnavailableAsync(HttpClient client, string id, string eventId)
    {
        var calls = new (string Name, Func<Task<HttpResponseMessage>> Call)[]
        {
            ("list", () => client.GetAsync(Wire.Sessions, Token)),
            ("create", () => client.PostJsonAsync(Wire.Sessions, """{"prd":{"lost":true}}""")),
            ("get", () => client.GetAsync($"{Wire.Sessions}/{id}", Token)),
            ("patch", () => client.PatchJsonAsync($"{Wire.Sessions}/{id}", """{"status":"failed"}""")),
            ("delete", () => client.DeleteAsync($"{Wire.Sessions}/{id}", Token)),
            ("append", () => client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"lost"}""")),
            ("get event", () => client.GetAsync($"{Wire.Sessions}/{id}/events/{eventId}", Token)),
            ("events page", () => client.GetAsync($"{Wire.Sessions}/{id}/events?limit=10", Token)),
            ("stream", () => StreamAsync(client, id)),
        };
        var lines = new List<TimeSpan>();
        foreach (var (name, call) in calls)
        {
            var (response, elapsed) = await Timed(call);
            using (response)
            {
                await AssertUnavailableAsync(response, elapsed, name);
            }

            lines.Add(elapsed);
        }

        using var anonymous = _server.CreateClient();
        var (ready, readyElapsed) = await Timed(() => anonymous.GetAsync("/health/ready", Token));
        var (live, liveElapsed) = await Timed(() => anonymous.GetAsync("/health/live", Token));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.True(readyElapsed < Bound, $"/health/ready took {readyElapsed}");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.True(liveElapsed < TimeSpan.FromSeconds(2), $"/health/live took {liveElapsed}");
        return lines;
    }

    private static Task<HttpResponseMessage> StreamAsync(HttpClient client, string id)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"{Wire.Sessions}/{id}/events/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Token);
    }

    private async Task WaitUntilReadyAsync()
    {
        using var anonymous = _server.CreateClient();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var ready = await anonymous.GetAsync("/health/ready", Token);
            if (ready.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            Assert.True(deadline.Elapsed < Bound, $"Not ready {Bound} after the database came back: {await ready.ReadTextAsync()}\n{_server.Log}");
            await Task.Delay(100, Token);
        }
    }
}
