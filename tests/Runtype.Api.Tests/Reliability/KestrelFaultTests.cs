using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using CsCheck;
using Microsoft.Data.Sqlite;
using Runtype.Api.Cli;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Reliability;

/// <summary>
/// One real server process (Kestrel) for the raw-bytes and load tests: a low rate limit, many streams per user. Each
/// role has its own user, so the permits one test spends (the rate limit is per user) never run out in another.
/// </summary>
public sealed class KestrelServer : IAsyncLifetime
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("runtype-kestrel-");

    public ApiServer Server { get; private set; } = null!;

    public string Key { get; private set; } = null!;

    public string OtherKey { get; private set; } = null!;

    /// <summary>The load test's streams and burst.</summary>
    public string LoadKey { get; private set; } = null!;

    /// <summary>The load test's trickled bodies (each one, once its headers are in, spends a permit).</summary>
    public string SlowKey { get; private set; } = null!;

    /// <summary>The generated requests of the form test.</summary>
    public string FormsKey { get; private set; } = null!;

    private string[] Settings =>
    [
        "--Database:Provider", "Sqlite", "--ConnectionStrings:Runtype", $"Data Source={Path.Combine(_folder.FullName, "runtype.db")}",
        "--RateLimiting:PermitsPerMinute", (120 * Effort.LoadScale).ToString(System.Globalization.CultureInfo.InvariantCulture), "--Streams:MaxPerUser", "1000", "--Serilog:MinimumLevel:Default", "Warning",
    ];

    public async ValueTask InitializeAsync()
    {
        var keys = new List<string>();
        foreach (var user in (string[])["user_kestrel", "user_bystander", "user_load", "user_slow", "user_forms"])
        {
            var created = await ApiProcess.RunAsync(CancellationToken.None, ["keys", "create", "--user", user, .. Settings]);
            Assert.True(created.Code == CommandLine.Ok, created.Error);
            keys.Add(created.LastLine);
        }

        (Key, OtherKey, LoadKey, SlowKey, FormsKey) = (keys[0], keys[1], keys[2], keys[3], keys[4]);
        Server = await ApiProcess.StartServerAsync(CancellationToken.None, Settings);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }
}

/// <summary>
/// The real server under what only a socket can send: malformed request lines and headers, invalid UTF-8, truncated
/// bodies (Kestrel itself answers 4xx, the process never falls over), and under load with faults: slowloris clients
/// trickling headers or bodies, many open event streams and a burst far above the rate limit, while another client
/// is still served in time and memory stays bounded.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class KestrelFaultTests(KestrelServer kestrel) : IClassFixture<KestrelServer>
{
    /// <summary>How long a request is given before its sending side is closed: a request that may be incomplete, a complete one.</summary>
    private static readonly TimeSpan Incomplete = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan Complete = TimeSpan.FromSeconds(5);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private ApiServer Server => kestrel.Server;

    [Fact]
    public async Task Raw_malformed_requests_are_answered_4xx_or_closed_and_the_server_keeps_serving()
    {
        using var client = Server.CreateClient(kestrel.Key);
        var id = (await client.CreateSessionAsync()).Id();
        var auth = $"Authorization: Bearer {kestrel.Key}\r\n";
        var post = $"POST {Wire.Sessions}/{id}/events HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\n";
        var valid = Encoding.ASCII.GetBytes(post + "Content-Length: 17\r\n\r\n{\"type\":\"probe\"}\n");
        var fixedCases = new List<(string Name, byte[] Bytes)>
        {
            ("garbage request line", "GARBAGE\r\n\r\n"u8.ToArray()),
            ("unknown version", "GET / HTTP/9.9\r\nHost: x\r\n\r\n"u8.ToArray()),
            ("NUL in the path", "GET /v1/%00 HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray()),
            ("raw 0xFF in the path", [.. "GET /v1/"u8, 0xFF, .. " HTTP/1.1\r\nHost: x\r\n\r\n"u8]),
            ("overlong request line", Encoding.ASCII.GetBytes($"GET /{new string('a', 20_000)} HTTP/1.1\r\nHost: x\r\n\r\n")),
            ("headers over 32 KiB", Encoding.ASCII.GetBytes($"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: {new string('b', 40_000)}\r\n\r\n")),
            ("header without colon", "GET /health/live HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n"u8.ToArray()),
            ("control byte in a header", "GET /health/live HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n"u8.ToArray()),
            ("two Content-Lengths", Encoding.ASCII.GetBytes(post + "Content-Length: 17\r\nContent-Length: 5\r\n\r\n{\"type\":\"probe\"}\n")),
            ("Content-Length and chunked", Encoding.ASCII.GetBytes(post + "Content-Length: 17\r\nTransfer-Encoding: chunked\r\n\r\n{\"type\":\"probe\"}\n")),
            ("negative Content-Length", Encoding.ASCII.GetBytes(post + "Content-Length: -1\r\n\r\n")),
            ("bad chunk size", Encoding.ASCII.GetBytes(post + "Transfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n")),
            ("invalid UTF-8 in the JSON", [.. Encoding.ASCII.GetBytes(post + "Content-Length: 16\r\n\r\n{\"type\":\"a"), 0xC0, 0xAF, 0xED, 0xA0, 0x80, .. "\"}"u8]),
            ("raw surrogate in the JSON", [.. Encoding.ASCII.GetBytes(post + "Content-Length: 15\r\n\r\n{\"type\":\""), 0xED, 0xB0, 0x80, .. "x\"}"u8]),
            ("truncated body", Encoding.ASCII.GetBytes(post + "Content-Length: 1000\r\n\r\n{\"type\":\"tr")),
            ("truncated headers", Encoding.ASCII.GetBytes(post[..40])),
            ("valid", valid),
        };

        var answers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, bytes) in fixedCases)
        {
            // A complete request gets all the time it needs on a busy machine; an incomplete one is cut after half a second.
            var status = (await SendRawForAnswerAsync(bytes, name == "valid" ? Complete : Incomplete)).Status;
            Assert.True(IsAcceptable(status), $"{name}: answered {status}\n{Server.Log}");
            answers[name] = status ?? 0;
        }

        Assert.Equal(201, answers["valid"]);
        Assert.Equal(505, answers["unknown version"]);
        Assert.Equal(400, answers["garbage request line"]);
        Assert.True(answers["invalid UTF-8 in the JSON"] == 400 && answers["raw surrogate in the JSON"] == 400, string.Join(", ", answers));

        // What the application can shape is problem+json, body errors Kestrel finds while the API reads the body
        // included; what Kestrel answers before any of the application runs has an empty body (docs/reliability.md).
        foreach (var name in (string[])["bad chunk size", "Content-Length and chunked", "invalid UTF-8 in the JSON"])
        {
            var (status, answer) = await SendRawForAnswerAsync([.. fixedCases.Single(c => c.Name == name).Bytes], Complete);
            Assert.True(status == 400 && answer.Contains("Content-Type: application/problem+json", StringComparison.Ordinal), $"{name}: {answer}");
        }

        foreach (var name in (string[])["garbage request line", "overlong request line", "headers over 32 KiB", "unknown version"])
        {
            var (status, answer) = await SendRawForAnswerAsync([.. fixedCases.Single(c => c.Name == name).Bytes], Complete);
            Assert.True(status is 400 or 414 or 431 or 505 && answer.Contains("Content-Length: 0", StringComparison.Ordinal), $"{name}: {answer}");
        }

        // Forms of a request that the server once read leniently, over the real server: media-type parameters (500s
        // once), ids in other forms, query values in other forms.
        var formCases = new List<(string Name, byte[] Bytes, int Expected)>
        {
            ("charset= empty", Raw("POST", Wire.Sessions, "application/json; charset=", "{}"), 415),
            (";charset= empty", Raw("POST", Wire.Sessions, "application/json;charset=", "{}"), 415),
            ("a= empty", Raw("PATCH", $"{Wire.Sessions}/{id}", "application/json; a=", """{"plan":{}}"""), 415),
            ("charset=utf-16", Raw("POST", $"{Wire.Sessions}/{id}/events", "application/json; charset=utf-16", """{"type":"x"}"""), 415),
            ("braced id", Raw("GET", $"{Wire.Sessions}/%7B{id}%7D"), 404),
            ("id without dashes", Raw("DELETE", $"{Wire.Sessions}/{id.Replace("-", string.Empty, StringComparison.Ordinal)}"), 404),
            ("padded id", Raw("PATCH", $"{Wire.Sessions}/%20{id}", "application/json", """{"status":"cancelled"}"""), 404),
            ("id in parentheses", Raw("POST", $"{Wire.Sessions}/({id})/events", "application/json", """{"type":"x"}"""), 404),
            ("hex limit", Raw("GET", $"{Wire.Sessions}?limit=0x10"), 400),
            ("signed limit", Raw("GET", $"{Wire.Sessions}?limit=%2B5"), 400),
            ("NUL after limit", Raw("GET", $"{Wire.Sessions}?limit=5%00"), 400),
            ("repeated limit", Raw("GET", $"{Wire.Sessions}?limit=5&limit=6"), 400),
        };
        foreach (var (name, bytes, expected) in formCases)
        {
            var (status, answer) = await SendRawForAnswerAsync(bytes, Complete);
            Assert.True(status == expected && answer.Contains("Content-Type: application/problem+json", StringComparison.Ordinal), $"{name}: expected {expected}, got {answer}");
            answers[name] = status!.Value;
        }

        Assert.Equal("intake", (await client.GetSessionAsync(id)).GetProperty("status").GetString());

        // Generated: a valid request with bytes flipped, inserted or cut anywhere, line and headers included.
        var statuses = new Dictionary<int, int>();
        var mutation = from kind in Gen.Int[0, 2] from at in Gen.Int[0, valid.Length - 1] from value in Gen.Byte from count in Gen.Int[1, 4] select (kind, at, value, count);
        await mutation.Array[1, 4].SampleAsync(
            async mutations =>
            {
                var bytes = valid.ToList();
                foreach (var (kind, at, value, count) in mutations)
                {
                    var i = Math.Min(at, bytes.Count - 1);
                    switch (kind)
                    {
                        case 0: bytes[i] = value; break;
                        case 1: bytes.InsertRange(i, Enumerable.Repeat(value, count)); break;
                        default: bytes.RemoveRange(i, Math.Min(count, bytes.Count - i - 1)); break;
                    }
                }

                var status = await SendRawAsync([.. bytes]);
                statuses[status ?? 0] = statuses.GetValueOrDefault(status ?? 0) + 1;
                Assert.True(IsAcceptable(status), $"answered {status} to {Encoding.Latin1.GetString([.. bytes])}");
            },
            seed: Environment.GetEnvironmentVariable("RUNTYPE_FUZZ_SEED"),
            iter: Effort.RawFuzzIterations,
            threads: 1,
            print: m => string.Join(" ", m));

        Assert.False(Server.HasExited, Server.Log);
        using var live = await client.GetAsync("/health/live", Token);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Figures.Report($"raw fuzz (Kestrel over TCP): {fixedCases.Count + formCases.Count} crafted + {Effort.RawFuzzIterations} mutated requests; " +
            $"answers {string.Join(", ", statuses.Concat(answers.Values.GroupBy(s => s).Select(g => new KeyValuePair<int, int>(g.Key, g.Count()))).GroupBy(p => p.Key).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "closed" : g.Key)}×{g.Sum(p => p.Value)}"))}; " +
            $"5xx seen: 0 (505 is Kestrel's answer to an HTTP version it does not speak); process alive, RSS {Server.ResidentMemoryMiB:0} MiB");
    }

    /// <summary>
    /// Generated over the real server: each call with its id in one of its forms, a query value in one of its forms, a
    /// Content-Type put together from parts and a body holding a Unicode edge case. What the contract says of each form
    /// holds (FuzzTests states the same property through the in-memory host).
    /// </summary>
    [Fact]
    public async Task Generated_forms_of_ids_queries_media_types_and_Unicode_are_answered_as_the_contract_says()
    {
        using var client = Server.CreateClient(kestrel.FormsKey);
        var id = (await client.CreateSessionAsync()).Id();
        var statuses = new Dictionary<int, int>();
        string[] idForms = ["{0}", "{0:U}", "%7B{0}%7D", "{0:N}", "%20{0}", "({0})", "%2B{0}", "{0}%20"];
        string[] queries = ["", "limit=5", "limit=0x10", "limit=%2B5", "limit=5%00", "limit=5&limit=6", "limit=%D9%A5", "limit=1e1", "offset=%200"];
        var request =
            from call in Gen.Int[0, 6]
            from idForm in Gen.Int[0, idForms.Length - 1]
            from query in Gen.OneOf(queries)
            from contentType in FuzzInputs.ContentType
            from text in Gen.Frequency(
                (2, FuzzInputs.UnicodeString.Select(t => (Json: t, Lone: false))),
                (1, FuzzInputs.LoneSurrogate.Select(t => (Json: t, Lone: true))),
                (1, Gen.Const((Json: "\"plain\"", Lone: false))))
            select (call, idForm, query, contentType, text);
        await request.SampleAsync(
            async generated =>
            {
                var (call, idForm, query, (contentType, verdict), (text, lone)) = generated;
                var target = idForms[idForm].Replace("{0:U}", id.ToUpperInvariant(), StringComparison.Ordinal)
                    .Replace("{0:N}", id.Replace("-", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal)
                    .Replace("{0}", id, StringComparison.Ordinal);
                var (method, path, body) = call switch
                {
                    0 => ("POST", Wire.Sessions, $"{{\"prd\":{{\"s\":{text}}}}}"),
                    1 => ("PATCH", $"{Wire.Sessions}/{target}", $"{{\"plan\":{{\"s\":{text}}}}}"),
                    2 => ("POST", $"{Wire.Sessions}/{target}/events", $"{{\"type\":\"x\",\"payload\":{{\"s\":{text}}}}}"),
                    3 => ("GET", $"{Wire.Sessions}/{target}", null),
                    4 => ("DELETE", $"{Wire.Sessions}/{target}", null),
                    5 => ("GET", $"{Wire.Sessions}/{target}/events" + (query.Length > 0 ? "?" + query : string.Empty), null),
                    _ => ("GET", Wire.Sessions + (query.Length > 0 ? "?" + query : string.Empty), null),
                };
                var raw = Raw(method, path, body is null ? null : contentType, body, kestrel.FormsKey);
                if (method == "DELETE")
                {
                    // A version the session never has: a DELETE that reaches it is a 412 and deletes nothing.
                    raw = [.. Encoding.ASCII.GetBytes($"DELETE {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {kestrel.FormsKey}\r\nIf-Match: \"0\"\r\n\r\n")];
                }

                var (status, answer) = await SendRawForAnswerAsync(raw, Complete);
                statuses[status ?? 0] = statuses.GetValueOrDefault(status ?? 0) + 1;
                var success = status is >= 200 and < 300;
                var description = $"{method} {path} Content-Type: {contentType} ({verdict}) body {body}: {answer}";
                Assert.True(status is not null and < 500, description);
                if (status == 429)
                {
                    return; // the user's rate limit: any form may meet it
                }

                var lenient = idForm is not (0 or 1) && call is >= 1 and <= 5;
                var refusedBody = body is not null && verdict != MediaTypeVerdict.Accepted && status == 415;
                Assert.True(!lenient || status == 404 || refusedBody, $"an id in another form: {description}");
                Assert.True(body is null || verdict != MediaTypeVerdict.Refused || !success, $"a Content-Type to refuse: {description}");
                Assert.True(body is null || verdict != MediaTypeVerdict.Accepted || status != 415, $"a Content-Type to take: {description}");
                Assert.True(body is null || !lone || !success, $"a lone surrogate: {description}");
                // offset is the list's parameter; the events page has none of that name (it pages with after), so
                // there it is an unknown parameter, ignored like any other.
                var itsParameter = !(call == 5 && query.StartsWith("offset=", StringComparison.Ordinal));
                Assert.True(call is not (5 or 6) || query is "" or "limit=5" || !itsParameter || !success, $"a query value in another form: {description}");
            },
            seed: Environment.GetEnvironmentVariable("RUNTYPE_FUZZ_SEED"),
            iter: Math.Max(20, Effort.RawFuzzIterations / 3),
            threads: 1,
            print: g => g.ToString());

        using var after = await client.GetAsync($"{Wire.Sessions}/{id}", Token);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("intake", (await after.ReadJsonAsync()).GetProperty("status").GetString());
        Figures.Report($"generated forms (Kestrel over TCP): {statuses.Values.Sum()} requests; answers {string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{(p.Key == 0 ? "closed" : p.Key)}×{p.Value}"))}; none against its form's rule");
    }

    [Fact]
    public async Task Over_the_real_server_every_event_is_one_data_line_of_its_JSON_whatever_its_payload()
    {
        using var client = Server.CreateClient(kestrel.FormsKey);
        var id = (await client.CreateSessionAsync()).Id();
        var ids = new List<string>();
        await FuzzInputs.UnicodeObject.SampleAsync(
            async payload =>
            {
                using var appended = await client.PostJsonAsync($"{Wire.Sessions}/{id}/events", $"{{\"type\":\"unicode\",\"payload\":{payload}}}");
                Assert.True(appended.StatusCode == HttpStatusCode.Created, $"{payload}: {await appended.ReadTextAsync()}");
                ids.Add((await appended.ReadJsonAsync()).Id());
            },
            iter: 12,
            threads: 1);
        await client.UpdateSessionAsync(id, """{"status":"cancelled"}""");

        await using var stream = await EventStreamReader.OpenAsync(client, id);
        var events = (await stream.ReadToEndAsync()).Where(m => !m.IsComment).ToArray();

        Assert.Equal(ids, events[..ids.Count].Select(e => e.Id));
        foreach (var sent in events[..ids.Count])
        {
            using var resource = await client.GetAsync($"{Wire.Sessions}/{id}/events/{sent.Id}", Token);
            Assert.Equal(1, sent.DataLines);
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(await resource.ReadTextAsync()), System.Text.Json.Nodes.JsonNode.Parse(sent.Data!)), sent.Data);
        }
    }

    [Fact]
    public async Task Slow_clients_many_streams_and_a_burst_leave_other_clients_served_and_memory_bounded()
    {
        var scale = Effort.LoadScale;
        using var owner = Server.CreateClient(kestrel.LoadKey);
        using var bystander = Server.CreateClient(kestrel.OtherKey);
        var id = (await owner.CreateSessionAsync()).Id();
        var bystanderSession = (await bystander.CreateSessionAsync()).Id();
        for (var i = 0; i < 20; i++)
        {
            using var warm = await bystander.GetAsync($"{Wire.Sessions}/{bystanderSession}", Token);
        }

        var rssBefore = Server.ResidentMemoryMiB;
        var rssPeak = rssBefore;
        using var load = CancellationTokenSource.CreateLinkedTokenSource(Token);

        // Slowloris: headers trickled a byte a second, never finished.
        var slowHeaders = await Task.WhenAll(Enumerable.Range(0, 200 * scale).Select(_ => ConnectAsync()));
        var trickle = Task.WhenAll(slowHeaders.Select(s => TrickleAsync(s, "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ", load.Token)));

        // Bodies trickled at 8 B/s, far under the 1 KiB/s minimum.
        var slowBodies = await Task.WhenAll(Enumerable.Range(0, 50 * scale).Select(_ => ConnectAsync()));
        var bodyHeaders = $"POST {Wire.Sessions} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {kestrel.SlowKey}\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{{\"prd\":{{\"x\":\"";
        var trickleBodies = Task.WhenAll(slowBodies.Select(s => TrickleAsync(s, bodyHeaders, load.Token)));

        // Open event streams, held.
        var streams = await Task.WhenAll(Enumerable.Range(0, 50 * scale).Select(async _ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"{Wire.Sessions}/{id}/events/stream");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            return await owner.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Token);
        }));
        Assert.All(streams, s => Assert.Equal(HttpStatusCode.OK, s.StatusCode));

        // A burst far above the rate limit (120/min at scale 1) from the user of the streams.
        var burstStatuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var burst = Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            for (var i = 0; i < 50 * scale; i++)
            {
                using var response = await owner.GetAsync(Wire.Sessions, load.Token);
                burstStatuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                Assert.True(response.StatusCode != HttpStatusCode.TooManyRequests || response.Headers.RetryAfter is not null);
            }
        }));

        // Meanwhile another client is served, again and again, within bounds.
        var latencies = new List<TimeSpan>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(14))
        {
            var call = Stopwatch.StartNew();
            using var response = await bystander.GetAsync($"{Wire.Sessions}/{bystanderSession}", Token);
            latencies.Add(call.Elapsed);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            rssPeak = Math.Max(rssPeak, Server.ResidentMemoryMiB);
            await Task.Delay(250, Token);
        }

        await burst;

        // The server has cut the slow ones off: headers after 10 s, bodies after the 5 s grace.
        var headersCut = slowHeaders.Count(IsClosedByServer);
        var bodiesCut = slowBodies.Count(IsClosedByServer);
        await load.CancelAsync();
        await Task.WhenAll(trickle, trickleBodies);
        foreach (var socket in slowHeaders.Concat(slowBodies))
        {
            socket.Dispose();
        }

        foreach (var stream in streams)
        {
            stream.Dispose();
        }

        var rssAfter = Server.ResidentMemoryMiB;
        Assert.True(latencies.Max() < TimeSpan.FromSeconds(10), $"the other client waited {latencies.Max()}");
        Assert.Equal(slowHeaders.Length, headersCut);
        Assert.Equal(slowBodies.Length, bodiesCut);
        Assert.DoesNotContain(burstStatuses.Keys, s => s >= 500);
        Assert.True(burstStatuses.GetValueOrDefault(429) > 0, string.Join(", ", burstStatuses));
        Assert.True(rssPeak - rssBefore < 300, $"RSS grew from {rssBefore:0} to {rssPeak:0} MiB");
        Figures.Report($"load: {slowHeaders.Length} slowloris header connections (all cut by the server), {slowBodies.Length} trickled bodies (all cut), " +
            $"{streams.Length} open streams, burst {burstStatuses.Values.Sum()} requests ({string.Join(", ", burstStatuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}); " +
            $"another client's GET: {latencies.Count} calls, slowest {latencies.Max().TotalMilliseconds:0} ms; RSS {rssBefore:0} → peak {rssPeak:0} → {rssAfter:0} MiB");
    }

    /// <summary>A whole request of the test's user, as bytes; a body gets its Content-Length.</summary>
    private byte[] Raw(string method, string target, string? contentType = null, string? body = null, string? key = null)
    {
        var text = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key ?? kestrel.Key}\r\n");
        var content = body is null ? [] : Encoding.UTF8.GetBytes(body);
        if (contentType is not null)
        {
            text.Append($"Content-Type: {contentType}\r\n");
        }

        if (body is not null)
        {
            text.Append($"Content-Length: {content.Length}\r\n");
        }

        return [.. Encoding.ASCII.GetBytes(text.Append("\r\n").ToString()), .. content];
    }

    /// <summary>A 4xx, or no answer (closed); 505 is Kestrel's protocol answer to an HTTP version it does not speak, not a failure.</summary>
    private static bool IsAcceptable(int? status) => status is null or < 500 or 505;

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, Server.Address.Port, Token);
        return socket;
    }

    /// <summary>Sends the prefix, then a byte a second (8 a second for bodies), until the server closes or the test ends.</summary>
    private static async Task TrickleAsync(Socket socket, string prefix, CancellationToken stop)
    {
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(prefix), SocketFlags.None, stop);
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(prefix.StartsWith("POST", StringComparison.Ordinal) ? 125 : 1000), stop);
                await socket.SendAsync("a"u8.ToArray(), SocketFlags.None, stop);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // closed by the server (what we want) or the test is done
        }
    }

    /// <summary>True when the server has answered (408/400) and closed, or closed: reading gives its answer then the end.</summary>
    private static bool IsClosedByServer(Socket socket)
    {
        var buffer = new byte[4096];
        socket.ReceiveTimeout = 2000;
        try
        {
            while (true)
            {
                var read = socket.Receive(buffer);
                if (read == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode == SocketError.ConnectionReset;
        }
    }

    /// <summary>
    /// Sends raw bytes on a new connection and returns the answer's status (null: closed without one). A request the
    /// server is still waiting to complete after half a second is cut there: the sending side is closed.
    /// </summary>
    private async Task<int?> SendRawAsync(byte[] bytes) => (await SendRawForAnswerAsync(bytes, Incomplete)).Status;

    /// <summary>
    /// As <see cref="SendRawAsync"/>, with the answer as received (its status line and headers at least); the sending
    /// side is closed when nothing came back within <paramref name="patience"/>.
    /// </summary>
    private async Task<(int? Status, string Answer)> SendRawForAnswerAsync(byte[] bytes, TimeSpan patience)
    {
        using var socket = await ConnectAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        var received = new List<byte>();
        try
        {
            await socket.SendAsync(bytes, SocketFlags.None, timeout.Token);
            var buffer = new byte[8192];
            var halfClosed = false;
            while (!Encoding.ASCII.GetString([.. received]).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
                if (!halfClosed)
                {
                    wait.CancelAfter(patience);
                }

                int read;
                try
                {
                    read = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
                }
                catch (OperationCanceledException) when (!halfClosed && !timeout.IsCancellationRequested)
                {
                    socket.Shutdown(SocketShutdown.Send);
                    halfClosed = true;
                    continue;
                }

                if (read == 0)
                {
                    break;
                }

                received.AddRange(buffer.Take(read));
            }
        }
        catch (SocketException)
        {
            // reset by the server: whatever came before it is the answer
        }
        catch (OperationCanceledException) when (!Token.IsCancellationRequested)
        {
            throw new TimeoutException($"No answer and no close within 15 s to {Encoding.Latin1.GetString(bytes[..Math.Min(200, bytes.Length)])}");
        }

        var head = Encoding.ASCII.GetString([.. received]);
        var status = head.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && head.Length >= 12 ? int.Parse(head[9..12], System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
        return (status, head);
    }
}
