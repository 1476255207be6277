using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using CsCheck;
using Microsoft.Data.Sqlite;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Domain.ApiKeys;

namespace Runtype.Api.Tests.Reliability;

/// <summary>The in-memory host on a SQLite file, without rate limiting (every fuzzed request reaches its call).</summary>
public sealed class FuzzFixture : SqliteApiFixture
{
    protected override IReadOnlyDictionary<string, string?> FeatureSettings { get; } = new Dictionary<string, string?>
    {
        ["RateLimiting:PermitsPerMinute"] = "0",
    };
}

/// <summary>
/// Property: whatever the body, headers, query string and path id, every call answers 2xx (or 304) or a 4xx
/// problem+json with the contract's members, never a 5xx, and a 4xx changes nothing the user has (sessions, events,
/// idempotency records compared row by row before and after). CsCheck prints the seed of a failing request;
/// <c>RUNTYPE_FUZZ_SEED</c> replays it and <c>RUNTYPE_FUZZ_ITERATIONS</c> runs more.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class FuzzTests(FuzzFixture api) : IClassFixture<FuzzFixture>
{
    private const int RequestsPerUser = 200;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);

    private readonly ConcurrentDictionary<int, int> _statuses = new();
    private readonly ConcurrentDictionary<string, int> _oracles = new(StringComparer.Ordinal);
    private ApiUser _user = null!;
    private ApiUser _readOnly = null!;
    private (string Session, string Event) _foreign;
    private int _sent;
    private int _refusedByClient;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Any_request_to_any_call_is_answered_2xx_or_a_4xx_problem_and_a_4xx_changes_nothing()
    {
        var other = await api.CreateUserAsync();
        var foreign = (await other.Client.CreateSessionAsync()).Id();
        using (var appended = await other.Client.PostJsonAsync($"{Wire.Sessions}/{foreign}/events", """{"type":"x"}"""))
        {
            _foreign = (foreign, (await appended.ReadJsonAsync()).Id());
        }

        var iterations = Effort.FuzzIterations;
        await FuzzInputs.Case.SampleAsync(
            SendAndCheckAsync,
            writeLine: line => TestContext.Current.TestOutputHelper?.WriteLine(line),
            seed: Environment.GetEnvironmentVariable("RUNTYPE_FUZZ_SEED"),
            iter: iterations,
            threads: 1,
            print: c => c.ToString());

        Assert.Equal(0, _statuses.Where(s => s.Key >= 500).Sum(s => s.Value));
        Figures.Report($"fuzz (in-memory host): {_sent} requests over 9 calls, {_refusedByClient} refused by HttpClient before sending; " +
            $"answers {string.Join(", ", _statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}; 500s seen: 0; " +
            $"form checks {string.Join(", ", _oracles.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}×{o.Value}"))}, none failed");
    }

    private async Task SendAndCheckAsync(FuzzCase fuzz)
    {
        if (_sent % RequestsPerUser == 0)
        {
            _user = await api.CreateUserAsync();
            _readOnly = await api.CreateUserAsync("org_test", ApiKeyScopes.SessionsRead);
        }

        var (session, eventId) = await SetUpAsync(fuzz.SetupStatus, fuzz.SetupPayload);
        HttpRequestMessage request;
        try
        {
            request = Build(fuzz, session, eventId);
        }
        catch (Exception ex) when (ex is UriFormatException or FormatException or InvalidOperationException)
        {
            _refusedByClient++;
            return;
        }

        var before = Snapshot();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(RequestTimeout);
        using var client = api.CreateAnonymousClient();
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException) when (!Token.IsCancellationRequested)
        {
            throw new InvalidOperationException($"No answer within {RequestTimeout}: {fuzz}");
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("null characters", StringComparison.Ordinal))
        {
            // The in-memory client decodes the path itself and refuses %00 before the app sees it (Kestrel: RawHttpFuzzTests).
            _refusedByClient++;
            return;
        }

        _sent++;
        using (response)
        {
            var status = (int)response.StatusCode;
            _statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            CheckForms(fuzz, request, status);
            if (fuzz.Call == FuzzCall.Stream && status == 200)
            {
                if (fuzz.SetupStatus == 2)
                {
                    // The session is cancelled: the stream sends the rest of its log, then ends. Every frame is checked.
                    CheckFrames(await response.Content.ReadAsStringAsync(timeout.Token), fuzz);
                }

                return; // a live stream: headers are enough, disposing it frees its slot
            }

            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            Assert.True(status is >= 200 and < 300 or 304 or >= 400 and < 500, $"{status}: {text}\nfor {fuzz}");
            if (status >= 400)
            {
                AssertProblem(status, response, text, fuzz);
                var after = Snapshot();
                Assert.True(before == after, $"A {status} changed stored data for {fuzz}:\nbefore {before}\nafter  {after}");
            }
        }
    }

    /// <summary>
    /// What the contract says of the forms of this request, beyond "never a 5xx": an id in any but the 8-4-4-4-12 form
    /// names nothing; a Content-Type the generator made malformed, not UTF-8 or not JSON is refused, and a well-formed
    /// JSON one is not; a query value that is not plain decimal, or a parameter given twice, is refused; a lone surrogate
    /// anywhere in a body is refused.
    /// </summary>
    private void CheckForms(FuzzCase fuzz, HttpRequestMessage request, int status)
    {
        var success = status is >= 200 and < 300;
        var hasId = fuzz.Call is not (FuzzCall.List or FuzzCall.Create);
        // Routing answers a body of a type no call at that address takes with 415 before it looks at the id.
        var refusedBody = fuzz.Body is not null && fuzz.ContentTypeVerdict != MediaTypeVerdict.Accepted && status == 415;
        if (hasId && FuzzInputs.LenientPathIds.Contains(fuzz.PathId))
        {
            Count("lenient path id");
            Assert.True(status == 404 || refusedBody, $"A session id in another form answered {status}: {fuzz}");
        }

        if (fuzz.Call == FuzzCall.GetEvent && FuzzInputs.LenientEventIds.Contains(fuzz.EventId))
        {
            Count("lenient event id");
            Assert.True(status == 404 || refusedBody, $"An event id in another form answered {status}: {fuzz}");
        }

        if (fuzz.Call is FuzzCall.Create or FuzzCall.Patch or FuzzCall.Append && fuzz.Body is not null)
        {
            if (fuzz.ContentTypeVerdict == MediaTypeVerdict.Refused)
            {
                Count("refused media type");
                Assert.False(success, $"A Content-Type that must be refused answered {status}: {fuzz}");
            }
            else if (fuzz.ContentTypeVerdict == MediaTypeVerdict.Accepted)
            {
                Count("accepted media type");
                Assert.True(status != 415, $"A well-formed JSON Content-Type answered 415: {fuzz}");
            }

            if (HasLoneSurrogate(fuzz.Body))
            {
                Count("lone surrogate in a body");
                Assert.False(success, $"A body with a lone surrogate answered {status}: {fuzz}");
            }
        }

        if (fuzz.Call is FuzzCall.List or FuzzCall.EventsPage && QueryMustBeRefused(fuzz.Call, request.RequestUri!.Query))
        {
            Count("query form");
            Assert.False(success, $"A query value in another form or repeated answered {status}: {fuzz}");
        }

        if (fuzz.Call == FuzzCall.Stream && request.Headers.TryGetValues("Last-Event-ID", out var lastEventIds)
            && string.Join(", ", lastEventIds).Trim() is { Length: > 0 } lastEventId && !IsCanonicalUuid(lastEventId))
        {
            Count("Last-Event-ID form");
            Assert.False(success, $"A Last-Event-ID in another form answered {status}: {fuzz}");
        }
    }

    /// <summary>Every event of a whole stream is one data line holding JSON; comments and blank lines aside, nothing else.</summary>
    private void CheckFrames(string body, FuzzCase fuzz)
    {
        Count("stream framed");
        foreach (var frame in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = frame.Split(["\r\n", "\r", "\n"], StringSplitOptions.None);
            if (lines.All(l => l.StartsWith(':')))
            {
                continue;
            }

            var data = lines.Where(l => l.StartsWith("data:", StringComparison.Ordinal)).ToArray();
            Assert.True(data.Length == 1, $"An event in {data.Length} data lines: {frame}\nfor {fuzz}");
            Assert.True(lines.All(l => l.StartsWith("id: ", StringComparison.Ordinal) || l.StartsWith("event: ", StringComparison.Ordinal) || l.StartsWith("data: ", StringComparison.Ordinal)), $"A frame with a stray line: {frame}\nfor {fuzz}");
            using var _ = JsonDocument.Parse(data[0]["data: ".Length..]);
        }
    }

    private void Count(string oracle) => _oracles.AddOrUpdate(oracle, 1, (_, n) => n + 1);

    private static bool IsCanonicalUuid(string text) =>
        text.Length == 36 && System.Text.RegularExpressions.Regex.IsMatch(text, "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

    /// <summary>
    /// The query as the call reads it: a parameter it knows (names compare without case) given more than once, a number
    /// that is not plain decimal digits, an <c>after</c> that is not a UUID in its one form.
    /// </summary>
    private static bool QueryMustBeRefused(FuzzCall call, string query)
    {
        string[] known = call == FuzzCall.List ? ["limit", "offset", "status"] : ["limit", "after"];
        var pairs = query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => (Name: Decode(p[0]), Value: p.Length > 1 ? Decode(p[1]) : string.Empty))
            .Where(p => known.Contains(p.Name, StringComparer.OrdinalIgnoreCase))
            .ToArray();
        return pairs.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).Any(g => g.Count() > 1)
            || pairs.Any(p => p.Name.ToLowerInvariant() switch
            {
                "limit" or "offset" => !System.Text.RegularExpressions.Regex.IsMatch(p.Value, "^-?[0-9]+$"),
                "after" => !IsCanonicalUuid(p.Value),
                _ => false,
            });
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    /// <summary>True when the body is JSON holding a key or string that is not Unicode text (an unpaired surrogate escape).</summary>
    private static bool HasLoneSurrogate(byte[] body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 10_000 });
        }
        catch (JsonException)
        {
            return false;
        }

        using (document)
        {
            return Walk(document.RootElement);
        }

        // Reading a key or a string that is not Unicode text throws.
        static bool Walk(JsonElement element)
        {
            try
            {
                return element.ValueKind switch
                {
                    JsonValueKind.Object => element.EnumerateObject().Any(p => p.Name is null || Walk(p.Value)),
                    JsonValueKind.Array => element.EnumerateArray().Any(Walk),
                    JsonValueKind.String => element.GetString() is null,
                    _ => false,
                };
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    private static void AssertProblem(int status, HttpResponseMessage response, string text, FuzzCase fuzz)
    {
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{status} as {response.Content.Headers.ContentType}: {text}\nfor {fuzz}");
        using var problem = JsonDocument.Parse(text);
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        foreach (var member in new[] { "type", "title", "detail", "instance", "traceId" })
        {
            Assert.True(problem.RootElement.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.String, $"No '{member}' in {text}\nfor {fuzz}");
        }

        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    /// <summary>A session of its own for each request, in the case's status, with one event (the case's payload).</summary>
    private async Task<(string Session, string Event)> SetUpAsync(int setup, string payload)
    {
        var id = (await _user.Client.CreateSessionAsync("""{"prd":{"fuzz":true}}""")).Id();
        using var appended = await _user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", $"{{\"type\":\"progress\",\"payload\":{payload}}}");
        Assert.True(appended.StatusCode == System.Net.HttpStatusCode.Created, $"The setup's append of {payload} answered {(int)appended.StatusCode}");
        var eventId = (await appended.ReadJsonAsync()).Id();
        foreach (var status in setup switch { 1 => ["generating"], 2 => new[] { "cancelled" }, _ => [] })
        {
            await _user.Client.UpdateSessionAsync(id, $$"""{"status":"{{status}}"}""");
        }

        return (id, eventId);
    }

    private HttpRequestMessage Build(FuzzCase fuzz, string session, string eventId)
    {
        var id = fuzz.PathId switch
        {
            0 => session,
            1 => Guid.CreateVersion7().ToString(),
            2 => session.ToUpperInvariant(),
            3 => "{" + session + "}",
            4 => "not-a-uuid",
            5 => string.Empty,
            6 => "%00",
            7 => "..%2F..%2Fhealth%2Flive",
            8 => new string('a', 5000),
            9 => "ünïcödé",
            10 => session + "x",
            11 => Guid.Empty.ToString(),
            12 => _foreign.Session,
            13 => session.Replace("-", string.Empty, StringComparison.Ordinal),
            14 => "(" + session + ")",
            15 => "%20" + session,
            16 => session + "%20",
            17 => "%09" + session,
            18 => "%2B" + session,
            _ => "%7B" + session + "%7D",
        };
        var eid = fuzz.EventId switch
        {
            0 => eventId,
            1 => Guid.CreateVersion7().ToString(),
            2 => _foreign.Event,
            3 => "garbage",
            4 => eventId.ToUpperInvariant(),
            5 => session,
            6 => "%7B" + eventId + "%7D",
            7 => eventId.Replace("-", string.Empty, StringComparison.Ordinal),
            _ => "%20" + eventId,
        };
        var query = Placeholders(fuzz.Query, eventId);
        var (method, path) = fuzz.Call switch
        {
            FuzzCall.List => (HttpMethod.Get, Wire.Sessions),
            FuzzCall.Create => (HttpMethod.Post, Wire.Sessions),
            FuzzCall.Get => (HttpMethod.Get, $"{Wire.Sessions}/{id}"),
            FuzzCall.Patch => (HttpMethod.Patch, $"{Wire.Sessions}/{id}"),
            FuzzCall.Delete => (HttpMethod.Delete, $"{Wire.Sessions}/{id}"),
            FuzzCall.Append => (HttpMethod.Post, $"{Wire.Sessions}/{id}/events"),
            FuzzCall.GetEvent => (HttpMethod.Get, $"{Wire.Sessions}/{id}/events/{eid}"),
            FuzzCall.EventsPage => (HttpMethod.Get, $"{Wire.Sessions}/{id}/events"),
            _ => (HttpMethod.Get, $"{Wire.Sessions}/{id}/events/stream"),
        };
        var request = new HttpRequestMessage(method, query.Length == 0 ? path : $"{path}?{query}");
        if (fuzz.Body is not null)
        {
            request.Content = new ByteArrayContent(fuzz.Body);
            request.Content.Headers.Remove("Content-Type");
            if (fuzz.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", fuzz.ContentType);
            }
        }

        var key = _user.Key;
        string? authorization = fuzz.Auth switch
        {
            0 => $"Bearer {key}",
            1 => key,
            2 => $"bearer {key}",
            3 => "Bearer",
            4 => $"Bearer  {key}",
            5 => "Basic dXNlcjpwYXNz",
            6 => $"Bearer {key}x",
            7 => $"Bearer {key[..^1]}",
            8 => $"Bearer {_readOnly.Key}",
            9 => "Bearer rt_" + new string('A', 5000),
            10 => "Bearer ключ",
            11 => null,
            12 => $"Bearer {key}, Bearer rt_0000000000000000_x",
            _ => $"Bearer {key} trailing",
        };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        foreach (var (name, value) in fuzz.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, Placeholders(value, eventId));
        }

        return request;
    }

    /// <summary>The generator's stand-ins for the event's id: as it is, and without its dashes.</summary>
    private static string Placeholders(string text, string eventId) => text
        .Replace("0195f3c4-1111-7aaa-8bbb-000000000000", eventId, StringComparison.Ordinal)
        .Replace("EVENT-N", eventId.Replace("-", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);

    /// <summary>Everything the user has, row by row, read straight from the database file.</summary>
    private string Snapshot()
    {
        using var db = new SqliteConnection($"Data Source={((SqliteApiFixture)api).DatabasePath};Mode=ReadOnly;Pooling=False");
        db.Open();
        var text = new StringBuilder();
        foreach (var sql in new[]
        {
            "SELECT * FROM sessions WHERE user_id = $user ORDER BY id",
            "SELECT * FROM session_events WHERE user_id = $user ORDER BY id",
            "SELECT * FROM idempotency_records WHERE user_id = $user ORDER BY key",
        })
        {
            foreach (var row in DatabaseFile.Rows(db, sql, ("$user", _user.UserId)))
            {
                text.AppendJoin('|', row.Select(v => v is byte[] b ? Convert.ToHexString(b) : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))).Append('\n');
            }
        }

        return text.ToString();
    }
}
