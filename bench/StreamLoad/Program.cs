// The streams benchmark's load client (bench/streams.sh runs it). It creates N sessions through the API, opens one
// live stream (GET /sessions/{id}/events/stream, Server-Sent Events over HTTP/1.1, one connection each) per session on
// --api, waits until every stream is open, and then:
//   idle phase (--idle s): nothing is sent; with --command-log (the service's log with EF Core's command log on) it
//     counts the database commands the service ran meanwhile, all of them and the change feed's (tagged) ones; with
//     --pid it reads the service's resident set (VmRSS) at the end of it;
//   load phase (--seconds s, after --warmup s not counted): paced appends (POST /sessions/{id}/events) on
//     --append-api (another replica, or the same process), --rate per second, round robin over the watched sessions;
//     each appended event's latency is its arrival on its stream minus its createdAt (taken by the appending command
//     just before it commits, on the same machine's clock).
// It prints one tab-separated line ("-" where a phase did not run):
//   streams open  seconds to open them  idle VmRSS MB  database commands/s idle  change feed commands/s idle
//   appended  delivered  missing  appends/s got  append->delivery p50 ms  p99 ms  load client CPU % of one core
// and exits 1 when a stream was refused or closed early, or an appended event never arrived.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using Runtype.Bench;

const string SessionsPath = "v1/products/generation/sessions";
const string MeasuredType = "bench.measured";
const string WarmupType = "bench.warmup";
const string CommandLogged = "Executed DbCommand";
const string FeedTag = "-- runtype: session change feed"; // SessionChangeFeed.QueryTag, as EF Core writes a tag

var options = Options.Parse(args);
var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);

using var api = Client(options.AppendApi, options.Concurrency, TimeSpan.FromSeconds(100));
using var streams = Client(options.Api, int.MaxValue, Timeout.InfiniteTimeSpan);

var sessions = await CreateSessionsAsync(options.Streams);
Log($"{sessions.Length} sessions created; opening their streams");

// One reader per stream; opening is throttled (at most Concurrency waiting for their answer), reading is not.
var arrivals = new ConcurrentDictionary<Guid, double>();
var stop = new CancellationTokenSource();
var opening = new SemaphoreSlim(options.Concurrency);
int open = 0, refused = 0, closedEarly = 0;
var openClock = Stopwatch.StartNew();
var readers = sessions.Select(ReadStreamAsync).ToArray();
var openDeadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
var nextReport = TimeSpan.FromSeconds(10);
while (Volatile.Read(ref open) + Volatile.Read(ref refused) + Volatile.Read(ref closedEarly) < sessions.Length && DateTime.UtcNow < openDeadline)
{
    await Task.Delay(100);
    if (openClock.Elapsed > nextReport)
    {
        // A rate of opening that falls as the streams grow would show here.
        Log($"{Volatile.Read(ref open)} streams open after {openClock.Elapsed.TotalSeconds:F0} s");
        nextReport += TimeSpan.FromSeconds(10);
    }
}

var openSeconds = openClock.Elapsed.TotalSeconds;
Log($"{open} streams open in {openSeconds:F1} s ({refused} refused)");

string idleRss = "-", idleCommands = "-", idleFeedCommands = "-";
if (options.Idle > 0)
{
    await Task.Delay(TimeSpan.FromSeconds(2)); // the last opens' log lines reach the log
    var before = CountCommands();
    var idleClock = Stopwatch.StartNew();
    await Task.Delay(TimeSpan.FromSeconds(options.Idle));
    var after = CountCommands();
    var idleSeconds = idleClock.Elapsed.TotalSeconds;
    if (before is { } b && after is { } a)
    {
        idleCommands = Format((a.All - b.All) / idleSeconds, "F2");
        idleFeedCommands = Format((a.Feed - b.Feed) / idleSeconds, "F2");
    }

    idleRss = options.Pid is { } pid ? ReadStatusMegabytes(pid, "VmRSS") : "-";
    Log($"idle {idleSeconds:F0} s: {idleCommands} database commands/s ({idleFeedCommands} of the change feed), VmRSS {idleRss} MB");
}

string appended = "-", delivered = "-", missing = "-", appendRate = "-", p50 = "-", p99 = "-", clientCpu = "-";
var complete = true;
if (options.Seconds > 0)
{
    if (options.Warmup > 0)
    {
        await AppendAsync(options.Warmup, WarmupType);
        await Task.Delay(TimeSpan.FromSeconds(2));
    }

    var self = Process.GetCurrentProcess();
    var cpuBefore = self.TotalProcessorTime;
    var loadClock = Stopwatch.StartNew();
    var ids = await AppendAsync(options.Seconds, MeasuredType);
    var loadSeconds = loadClock.Elapsed.TotalSeconds;
    var drainDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
    while (ids.Any(id => !arrivals.ContainsKey(id)) && DateTime.UtcNow < drainDeadline)
    {
        await Task.Delay(100);
    }

    self.Refresh();
    clientCpu = Format(100 * (self.TotalProcessorTime - cpuBefore).TotalSeconds / loadClock.Elapsed.TotalSeconds, "F0");
    var latencies = ids.Where(arrivals.ContainsKey).Select(id => arrivals[id]).Order().ToArray();
    appended = Format(ids.Count);
    delivered = Format(latencies.Length);
    missing = Format(ids.Count - latencies.Length);
    appendRate = Format(ids.Count / loadSeconds, "F0");
    p50 = Format(Percentiles.Of(latencies, 0.50), "F1");
    p99 = Format(Percentiles.Of(latencies, 0.99), "F1");
    complete = ids.Count == latencies.Length;
    Log($"{ids.Count} appended at {appendRate}/s, {latencies.Length} delivered, p50 {p50} ms, p99 {p99} ms, load client CPU {clientCpu} %");
}

var closed = Volatile.Read(ref closedEarly);
await stop.CancelAsync();
await Task.WhenAll(readers);
Console.WriteLine(string.Join('\t', open, Format(openSeconds, "F1"), idleRss, idleCommands, idleFeedCommands, appended, delivered, missing, appendRate, p50, p99, clientCpu));
if (refused > 0 || closed > 0)
{
    Log($"{refused} streams refused, {closed} closed before the end");
}

return refused == 0 && closed == 0 && complete ? 0 : 1;

// Creates the sessions, Concurrency at a time; returns their ids.
async Task<Guid[]> CreateSessionsAsync(int count)
{
    var ids = new ConcurrentBag<Guid>();
    await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency }, async (_, token) =>
    {
        // On the streams' replica; the appends then go to --append-api, which may be another one.
        using var response = await streams.PostAsync(SessionsPath, new StringContent("{}", Encoding.UTF8, "application/json"), token);
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<Created>(json, token);
        ids.Add(created!.Id);
    });
    return [.. ids];
}

// One stream: opens it (counted as open once its 200 answer arrives), then records the arrival of each measured event.
async Task ReadStreamAsync(Guid session)
{
    HttpResponseMessage? response = null;
    await opening.WaitAsync();
    try
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{SessionsPath}/{session}/events/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        response = await streams.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
    }
    catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
    {
        if (!stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref refused);
            Log($"stream of {session} not opened: {ex.Message}");
        }

        return;
    }
    finally
    {
        opening.Release();
    }

    using (response)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            if (Interlocked.Increment(ref refused) <= 3)
            {
                Log($"stream of {session} refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            return;
        }

        Interlocked.Increment(ref open);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(stop.Token);
            var parser = SseParser.Create(body, (type, data) => type == MeasuredType ? Arrival(data) : null);
            await foreach (var item in parser.EnumerateAsync(stop.Token))
            {
                if (item.Data is { } arrival)
                {
                    arrivals.TryAdd(arrival.Id, arrival.LatencyMs);
                }
            }
        }
        catch (Exception ex) when ((ex is HttpRequestException or IOException or OperationCanceledException) && stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            Log($"stream of {session} broken: {ex.Message}");
        }

        if (!stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref closedEarly);
        }
    }
}

// An event as it arrives: its id and the time from its createdAt to now.
(Guid Id, double LatencyMs)? Arrival(ReadOnlySpan<byte> data)
{
    var arrived = DateTimeOffset.UtcNow;
    var appendedEvent = JsonSerializer.Deserialize<Appended>(data, json)!;
    return (appendedEvent.Id, (arrived - appendedEvent.CreatedAt).TotalMilliseconds);
}

// Paced appends: one every 1/rate seconds, round robin over the sessions, at most Concurrency in flight; returns the
// ids of the events appended (answered 201).
async Task<IReadOnlyCollection<Guid>> AppendAsync(int seconds, string type)
{
    var ids = new ConcurrentBag<Guid>();
    var slots = new SemaphoreSlim(options.Concurrency);
    var calls = new List<Task>();
    var pace = Stopwatch.StartNew();
    var total = (long)options.Rate * seconds;
    for (long n = 0; n < total; n++)
    {
        var due = TimeSpan.FromSeconds((double)n / options.Rate);
        if (due > pace.Elapsed)
        {
            await Task.Delay(due - pace.Elapsed);
        }

        await slots.WaitAsync();
        var session = sessions[n % sessions.Length];
        calls.Add(Task.Run(async () =>
        {
            try
            {
                var body = JsonSerializer.Serialize(new { type, message = "bench" }, json);
                using var response = await api.PostAsync($"{SessionsPath}/{session}/events", new StringContent(body, Encoding.UTF8, "application/json"));
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    ids.Add((await response.Content.ReadFromJsonAsync<Created>(json))!.Id);
                }
            }
            catch (HttpRequestException)
            {
                // Not appended, so not expected on any stream.
            }
            finally
            {
                slots.Release();
            }
        }));
    }

    await Task.WhenAll(calls);
    return ids;
}

// The database commands logged so far: all of them and the change feed's; null without a log.
(long All, long Feed)? CountCommands()
{
    if (options.CommandLog is null)
    {
        return null;
    }

    using var file = new FileStream(options.CommandLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
    using var reader = new StreamReader(file);
    long all = 0, feed = 0;
    while (reader.ReadLine() is { } line)
    {
        all += line.Contains(CommandLogged, StringComparison.Ordinal) ? 1 : 0;
        feed += line.Contains(FeedTag, StringComparison.Ordinal) ? 1 : 0;
    }

    return (all, feed);
}

HttpClient Client(string address, int connections, TimeSpan timeout)
{
    var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
    var client = new HttpClient(handler) { BaseAddress = new Uri(address), Timeout = timeout, DefaultRequestVersion = HttpVersion.Version11 };
    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Key);
    return client;
}

static string ReadStatusMegabytes(int pid, string field) =>
    File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith(field + ":", StringComparison.Ordinal))
        .Select(l => Format(long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0, "F0"))
        .FirstOrDefault("-");


static string Format(double value, string format = "F0") => value.ToString(format, CultureInfo.InvariantCulture);

static void Log(string message) => Console.Error.WriteLine($"   [load] {message}");

internal sealed record Created(Guid Id);

internal sealed record Appended(Guid Id, DateTimeOffset CreatedAt);

internal sealed record Options(
    string Api, string AppendApi, string Key, int Streams, int Idle, int Rate, int Seconds, int Warmup, int Concurrency, string? CommandLog, int? Pid)
{
    public static Options Parse(string[] args)
    {
        string? Optional(string name)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        }

        int Number(string name, int fallback) => Optional(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

        var api = Optional("--api") ?? throw new ArgumentException("--api is required");
        return new Options(
            api, Optional("--append-api") ?? api, Optional("--key") ?? throw new ArgumentException("--key is required"),
            Number("--streams", 1000), Number("--idle", 0), Number("--rate", 500), Number("--seconds", 0), Number("--warmup", 0),
            Number("--concurrency", 64), Optional("--command-log"), Optional("--pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null);
    }
}
