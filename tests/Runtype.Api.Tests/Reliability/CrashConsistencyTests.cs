using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Runtype.Api.Cli;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Domain.Sessions;

namespace Runtype.Api.Tests.Reliability;

/// <summary>
/// Crash consistency (contract: nothing acknowledged is ever lost). The real server process on a database of its own
/// takes concurrent creates, PATCHes through the whole lifecycle, event appends and deletes, and is killed with
/// SIGKILL at a random moment, round after round, on the same database. After each kill: the database (on SQLite the
/// dead file passes <c>PRAGMA integrity_check</c>) has no half-done write; after each restart every acknowledged
/// write is there exactly as it was answered, a write in flight at the kill is either wholly there or wholly absent,
/// and retrying it with its <c>Idempotency-Key</c> never doubles it. Run on every provider (the suites).
/// </summary>
public abstract class CrashConsistencyTests : IAsyncLifetime
{
    private const int Workers = 8;
    private const string User = "user_crash";

    private static readonly string[] ContentFields = [.. Shapes.Session.Where(f => f is not "updatedAt")];

    private readonly List<SessionRecord>[] _sessions = [.. Enumerable.Range(0, Workers).Select(_ => new List<SessionRecord>())];
    private readonly Tally _tally = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private readonly ProcessDatabase _database;

    protected CrashConsistencyTests(ProcessDatabase database)
    {
        database.Require();
        _database = database;
    }

    private string[] Settings => [.. _database.Settings, "--RateLimiting:PermitsPerMinute", "0", "--Serilog:MinimumLevel:Default", "Warning"];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _database.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Acknowledged_writes_survive_SIGKILL_at_random_moments_and_nothing_is_half_done()
    {
        var baseSeed = Effort.Seed is { } replay ? int.Parse(replay, CultureInfo.InvariantCulture) : Random.Shared.Next(1, 1_000_000);
        var rounds = Effort.CrashRounds;
        Figures.Report($"crash ({_database.Provider}): {rounds} rounds of {Workers} concurrent writers, seed {baseSeed} (replay with RUNTYPE_FAULT_SEED={baseSeed})");

        var created = await ApiProcess.RunAsync(Token, ["keys", "create", "--user", User, .. Settings]);
        Assert.True(created.Code == CommandLine.Ok, created.Error);
        var key = created.LastLine;

        var server = await ApiProcess.StartServerAsync(Token, Settings);
        try
        {
            for (var round = 1; round <= rounds; round++)
            {
                server = await RunRoundAsync(server, key, baseSeed, round);
            }

            // The last restarted server takes new writes as usual.
            using var client = server.CreateClient(key);
            await client.CreateSessionAsync("""{"prd":{"after":"crashes"}}""");
        }
        finally
        {
            await server.DisposeAsync();
        }

        Figures.Report($"crash total ({_database.Provider}): {_tally}; lost 0, doubled 0, the database consistent after every kill");
    }

    /// <summary>Load, SIGKILL at a random moment, check the dead file, restart on it, check every answer; returns the restarted server.</summary>
    private async Task<ApiServer> RunRoundAsync(ApiServer server, string key, int baseSeed, int round)
    {
        var seed = baseSeed + round;
        var random = new Random(seed);
        var where = $"(seed {baseSeed}, round {round})";

        // Killed at a random moment once the writers are under way (the first answers come after the JIT warmed up).
        var killedAfter = TimeSpan.FromMilliseconds(random.Next(200, 1500));
        var acknowledgedBefore = _tally.Acknowledged;
        using (var client = server.CreateClient(key))
        using (var stop = new CancellationTokenSource())
        {
            var workers = Enumerable.Range(0, Workers).Select(w => WorkAsync(client, _sessions[w], new Random(seed * 31 + w), _tally, stop.Token)).ToArray();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (_tally.Acknowledged - acknowledgedBefore < Workers && DateTime.UtcNow < deadline && workers.All(w => !w.IsCompleted))
            {
                await Task.Delay(10, Token);
            }

            await Task.Delay(killedAfter, Token);
            await server.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        var log = server.Log;
        await server.DisposeAsync();
        _tally.InFlightAtKill += _sessions.Sum(list => list.Count(r => r.InFlight is not null));
        Assert.True(_tally.Unexpected.IsEmpty, $"Unexpected answers while serving {where}:\n{string.Join("\n", _tally.Unexpected)}\n{log}");

        // The database as the dead process left it: intact, nothing half done.
        var broken = DatabaseFile.FindBrokenInvariants(_database);
        Assert.True(broken.Count == 0, $"After SIGKILL {where}:\n{string.Join("\n", broken)}");

        // The service serves again on the same file, with every acknowledged write as it was answered.
        var restarted = await ApiProcess.StartServerAsync(Token, Settings);
        using var verifier = restarted.CreateClient(key);
        var problems = await VerifyAsync(verifier);
        Assert.True(problems.Count == 0, $"After restart {where}:\n{string.Join("\n", problems)}");

        // Once more, now that the writes in flight are settled and retried: everything answered is there.
        problems = await VerifyAsync(verifier);
        Assert.True(problems.Count == 0, $"After the retries {where}:\n{string.Join("\n", problems)}");
        _tally.Rounds++;
        Figures.Report($"crash round {round} ({_database.Provider}): killed {killedAfter.TotalMilliseconds} ms into the load; {_tally}");
        return restarted;
    }

    private static async Task WorkAsync(HttpClient client, List<SessionRecord> mine, Random random, Tally tally, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var (record, pending) = Choose(mine, random);
            record.InFlight = pending;
            HttpResponseMessage response;
            string body;
            try
            {
                response = await client.SendAsync(pending.ToRequest(record.Id), CancellationToken.None);
                body = await response.Content.ReadAsStringAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                return; // the server died under this request: its outcome is unknown (InFlight stays set)
            }

            using (response)
            {
                record.Acknowledge(response, body, tally);
            }
        }
    }

    private static (SessionRecord Record, Pending Pending) Choose(List<SessionRecord> mine, Random random)
    {
        var active = mine.Where(s => s is { Id: not null, Deleted: false } && SessionLifecycle.NextStatuses(StatusOf(s)).Count > 0).ToList();
        if (active.Count < 3 || random.Next(100) < 12)
        {
            var n = random.Next(1_000_000);
            var create = new SessionRecord();
            mine.Add(create);
            var schema = random.Next(3) == 0 ? "null" : $"\"{random.Next(1, 9)}.0\"";
            return (create, new PendingCreate(
                NewKey(random), $$$"""{"catalogVersion":"1.{{{n % 7}}}","schemaVersion":{{{schema}}},"prd":{"title":"crash {{{n}}}","n":{{{n}}}}}"""));
        }

        var session = active[random.Next(active.Count)];
        var roll = random.Next(100);
        if (roll < 50)
        {
            var n = random.Next(1_000_000);
            return (session, new PendingAppend(NewKey(random), $$$"""{"type":"progress","stage":"generation","message":"step {{{n}}}","payload":{"n":{{{n}}},"at":[1,2,{"x":null}]}}"""));
        }

        if (roll < 95)
        {
            var fields = new List<string>();
            string? next = null;
            if (random.Next(100) < 80)
            {
                var allowed = SessionLifecycle.NextStatuses(StatusOf(session)).Select(s => s.ToWire()).ToArray();
                var weighted = allowed.SelectMany(s => Enumerable.Repeat(s, s is "failed" or "cancelled" ? 1 : 8)).ToArray();
                next = weighted[random.Next(weighted.Length)];
                fields.Add($"\"status\":\"{next}\"");
            }

            var v = random.Next(1000);
            if (random.Next(2) == 0)
            {
                fields.Add($$"""
                    "plan":{"steps":{{v % 9}},"names":["a","b"]}
                    """.Trim());
            }

            if (random.Next(3) == 0)
            {
                fields.Add(random.Next(5) == 0 ? "\"productObject\":null" : $$"""
                    "productObject":{"type":"text","v":{{v}},"nested":{"a":[true,false],"b":1} }
                    """.Trim());
            }

            if (fields.Count == 0 || random.Next(2) == 0)
            {
                fields.Add($$"""
                    "assemblyState":{"step":"s{{v}}","progress":{{v % 101}}}
                    """.Trim());
            }

            return (session, new PendingPatch("{" + string.Join(",", fields) + "}", next));
        }

        return (session, new PendingDelete());
    }

    private static string NewKey(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }

    private static string Status(SessionRecord session) => session.State.GetProperty("status").GetString()!;

    private static SessionStatus StatusOf(SessionRecord session) =>
        SessionLifecycle.TryParse(Status(session), out var status) ? status : throw new InvalidOperationException(Status(session));

    /// <summary>Checks every acknowledged write against the restarted service; settles the writes that were in flight.</summary>
    private async Task<List<string>> VerifyAsync(HttpClient client)
    {
        var problems = new List<string>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in _sessions.SelectMany(s => s).Where(r => r.Id is not null))
        {
            known.Add(record.Id!);
            await VerifySessionAsync(client, record, problems);
        }

        // Creates whose answer never came: each may exist (committed before the kill), never twice. Retrying with the
        // same Idempotency-Key finds the committed one (a replay) or creates it now.
        var unknown = (await ListIdsAsync(client)).Where(id => !known.Contains(id)).ToHashSet(StringComparer.Ordinal);
        var pendingCreates = _sessions.SelectMany(s => s).Where(r => r is { Id: null, InFlight: PendingCreate }).ToList();
        if (unknown.Count > pendingCreates.Count)
        {
            problems.Add($"{unknown.Count} unacknowledged sessions exist but only {pendingCreates.Count} creates were in flight");
        }

        foreach (var record in pendingCreates)
        {
            var create = (PendingCreate)record.InFlight!;
            using var retried = await client.SendAsync(create.ToRequest(null), Token);
            var body = await retried.Content.ReadAsStringAsync(Token);
            if (retried.StatusCode != HttpStatusCode.Created)
            {
                problems.Add($"retrying an unacknowledged create answered {(int)retried.StatusCode}: {body}");
                continue;
            }

            var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
            var replayed = retried.Headers.Contains("Idempotent-Replayed");
            if (unknown.Remove(id) != replayed)
            {
                problems.Add($"retried create {id}: replayed={replayed}, but the session {(replayed ? "was not" : "was")} there before the retry");
            }

            _tally.CommittedUnacknowledged += replayed ? 1 : 0;
            record.Acknowledge(retried, body, _tally);
        }

        foreach (var id in unknown)
        {
            problems.Add($"session {id} exists, yet no create was acknowledged or retried for it (a double?)");
        }

        foreach (var list in _sessions)
        {
            list.RemoveAll(r => r.Id is null);
        }

        return problems;
    }

    private async Task VerifySessionAsync(HttpClient client, SessionRecord record, List<string> problems)
    {
        var before = problems.Count;
        await CheckSessionAsync(client, record, problems);
        if (problems.Count == before)
        {
            _tally.Found += record.TakeUnverified();
        }
    }

    private async Task CheckSessionAsync(HttpClient client, SessionRecord record, List<string> problems)
    {
        using var response = await client.GetAsync($"{Wire.Sessions}/{record.Id}", Token);
        var text = await response.Content.ReadAsStringAsync(Token);
        var pending = record.InFlight;
        record.InFlight = null;
        if (record.Deleted || (pending is PendingDelete && response.StatusCode == HttpStatusCode.NotFound))
        {
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                problems.Add($"session {record.Id} was deleted (204) but answers {(int)response.StatusCode}");
            }

            _tally.CommittedUnacknowledged += record.Deleted ? 0 : 1;
            record.Deleted = true;
            return;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            problems.Add($"session {record.Id} (acknowledged at version {record.Version}) answers {(int)response.StatusCode}: {text}");
            return;
        }

        var session = JsonDocument.Parse(text).RootElement.Clone();
        var version = long.Parse(response.Headers.ETag!.Tag.Trim('"'), CultureInfo.InvariantCulture);
        var extra = version - record.Version;
        var appliedPatch = extra == 1 && pending is PendingPatch ? (PendingPatch)pending : null;
        var appliedAppend = extra == 1 && pending is PendingAppend ? (PendingAppend)pending : null;
        if (extra != 0 && appliedPatch is null && appliedAppend is null)
        {
            problems.Add($"session {record.Id}: version {version}, acknowledged {record.Version}, in flight {pending?.GetType().Name ?? "nothing"}");
            return;
        }

        // The resource: exactly as last answered, or that plus the one write in flight.
        using var patch = appliedPatch is null ? null : JsonDocument.Parse(appliedPatch.Body);
        foreach (var field in ContentFields)
        {
            var expected = patch is not null && patch.RootElement.TryGetProperty(field, out var sent) ? sent.GetRawText() : record.State.GetProperty(field).GetRawText();
            if (field == "productObjectHash" && patch?.RootElement.TryGetProperty("productObject", out _) == true)
            {
                continue; // recomputed by the server from the productObject sent
            }

            if (session.GetProperty(field).GetRawText() != expected)
            {
                problems.Add($"session {record.Id}.{field} is {session.GetProperty(field).GetRawText()}, answered {expected} (version {version}, acknowledged {record.Version})");
            }
        }

        if (extra == 0 && session.GetProperty("updatedAt").GetString() != record.UpdatedAt)
        {
            problems.Add($"session {record.Id}.updatedAt is {session.GetProperty("updatedAt")}, answered {record.UpdatedAt}");
        }

        // The log: every acknowledged event as answered; status_changed for each acknowledged change; nothing else.
        var events = session.GetProperty("events").EnumerateArray().ToList();
        var byId = events.ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetRawText(), StringComparer.Ordinal);
        foreach (var (id, json) in record.Events)
        {
            if (!byId.TryGetValue(id, out var stored))
            {
                problems.Add($"event {id} of session {record.Id} was acknowledged (201) and is missing");
            }
            else if (stored != json)
            {
                problems.Add($"event {id} is {stored}, answered {json}");
            }

        }

        var statusChanges = events.Count(e => e.GetProperty("type").GetString() == "status_changed");
        var expectedChanges = record.StatusChanges + (appliedPatch?.Status is { } to && to != Status(record) ? 1 : 0);
        if (statusChanges != expectedChanges)
        {
            problems.Add($"session {record.Id} has {statusChanges} status_changed events, {expectedChanges} status changes were made");
        }

        var strangers = events.Where(e => e.GetProperty("type").GetString() != "status_changed" && !record.Events.Exists(a => a.Id == e.GetProperty("id").GetString())).ToList();
        if (strangers.Count != (appliedAppend is null ? 0 : 1))
        {
            problems.Add($"session {record.Id} has {strangers.Count} events nobody was answered for: {string.Join(", ", strangers)}");
        }

        _tally.CommittedUnacknowledged += extra == 1 ? 1 : 0;
        record.Rebase(session, version, appliedPatch is not null && appliedPatch.Status is { } changed && changed != Status(record));

        // An append in flight, retried with its key: the one committed before the kill is replayed, never doubled.
        if (pending is PendingAppend append)
        {
            using var retried = await client.SendAsync(append.ToRequest(record.Id), Token);
            var body = await retried.Content.ReadAsStringAsync(Token);
            var replayed = retried.Headers.Contains("Idempotent-Replayed");
            var id = retried.StatusCode == HttpStatusCode.Created ? JsonDocument.Parse(body).RootElement.GetProperty("id").GetString() : null;
            if (id is null || replayed != (appliedAppend is not null) || (replayed && id != strangers[0].GetProperty("id").GetString()))
            {
                problems.Add($"retried append on {record.Id}: {(int)retried.StatusCode} replayed={replayed}, committed before the kill={appliedAppend is not null}: {body}");
                return;
            }

            if (!replayed)
            {
                record.InFlight = append;
                record.Acknowledge(retried, body, _tally);
            }
        }
    }

    private static async Task<List<string>> ListIdsAsync(HttpClient client)
    {
        var ids = new List<string>();
        for (var offset = 0; ; offset += 100)
        {
            using var response = await client.GetAsync($"{Wire.Sessions}?limit=100&offset={offset}", Token);
            var page = await response.ReadJsonAsync();
            ids.AddRange(page.GetProperty("data").EnumerateArray().Select(s => s.Id()));
            if (offset + 100 >= page.GetProperty("pagination").GetProperty("total").GetInt32())
            {
                return ids;
            }
        }
    }

    private sealed class Tally
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Unexpected { get; } = new();

        public int Rounds { get; set; }

        public int Acknowledged;

        public int Found { get; set; }

        public int InFlightAtKill { get; set; }

        public int CommittedUnacknowledged { get; set; }

        public override string ToString() =>
            $"{Acknowledged} writes acknowledged, {Found} found as answered, {InFlightAtKill} in flight at a kill ({CommittedUnacknowledged} of them committed, none doubled)";
    }

    /// <summary>One session as the clients know it: the last acknowledged state and the write in flight, if any.</summary>
    private sealed class SessionRecord
    {
        public string? Id { get; private set; }

        public JsonElement State { get; private set; }

        public long Version { get; set; }

        public string? UpdatedAt { get; private set; }

        public List<(string Id, string Json)> Events { get; } = [];

        public int StatusChanges { get; private set; }

        public bool Deleted { get; set; }

        public Pending? InFlight { get; set; }

        /// <summary>Writes acknowledged since the last check.</summary>
        private int _unverified;

        public int TakeUnverified()
        {
            var taken = _unverified;
            _unverified = 0;
            return taken;
        }

        public void Acknowledge(HttpResponseMessage response, string body, Tally tally)
        {
            var pending = InFlight!;
            var expected = pending switch
            {
                PendingCreate or PendingAppend => HttpStatusCode.Created,
                PendingPatch => HttpStatusCode.OK,
                _ => HttpStatusCode.NoContent,
            };
            if (response.StatusCode != expected)
            {
                tally.Unexpected.Enqueue($"{pending.GetType().Name} on {Id}: {(int)response.StatusCode} {body}");
                InFlight = null;
                return;
            }

            Interlocked.Increment(ref tally.Acknowledged);
            _unverified++;

            switch (pending)
            {
                case PendingCreate or PendingPatch:
                    var state = JsonDocument.Parse(body).RootElement.Clone();
                    StatusChanges += pending is PendingPatch && Id is not null && state.GetProperty("status").GetString() != State.GetProperty("status").GetString() ? 1 : 0;
                    Id ??= state.GetProperty("id").GetString();
                    State = state;
                    Version = long.Parse(response.Headers.ETag!.Tag.Trim('"'), CultureInfo.InvariantCulture);
                    UpdatedAt = state.GetProperty("updatedAt").GetString();
                    break;
                case PendingAppend:
                    var appended = JsonDocument.Parse(body).RootElement;
                    Events.Add((appended.GetProperty("id").GetString()!, appended.GetRawText()));
                    Version++;
                    UpdatedAt = appended.GetProperty("createdAt").GetString();
                    break;
                case PendingDelete:
                    Deleted = true;
                    break;
            }

            InFlight = null;
        }

        /// <summary>After a check: the stored state becomes the known one (it may include the write that was in flight).</summary>
        public void Rebase(JsonElement session, long version, bool statusChanged)
        {
            State = session;
            Version = version;
            UpdatedAt = session.GetProperty("updatedAt").GetString();
            StatusChanges += statusChanged ? 1 : 0;
            foreach (var e in session.GetProperty("events").EnumerateArray())
            {
                var id = e.GetProperty("id").GetString()!;
                if (e.GetProperty("type").GetString() != "status_changed" && !Events.Exists(a => a.Id == id))
                {
                    Events.Add((id, e.GetRawText()));
                }
            }
        }
    }

    private abstract record Pending
    {
        public abstract HttpRequestMessage ToRequest(string? id);

        protected static HttpRequestMessage Json(HttpMethod method, string url, string body, string? key)
        {
            var request = new HttpRequestMessage(method, url) { Content = new StringContent(body, Encoding.UTF8) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (key is not null)
            {
                request.Headers.Add("Idempotency-Key", key);
            }

            return request;
        }
    }

    private sealed record PendingCreate(string Key, string Body) : Pending
    {
        public override HttpRequestMessage ToRequest(string? id) => Json(HttpMethod.Post, Wire.Sessions, Body, Key);
    }

    private sealed record PendingPatch(string Body, string? Status) : Pending
    {
        public override HttpRequestMessage ToRequest(string? id) => Json(HttpMethod.Patch, $"{Wire.Sessions}/{id}", Body, null);
    }

    private sealed record PendingAppend(string Key, string Body) : Pending
    {
        public override HttpRequestMessage ToRequest(string? id) => Json(HttpMethod.Post, $"{Wire.Sessions}/{id}/events", Body, Key);
    }

    private sealed record PendingDelete : Pending
    {
        public override HttpRequestMessage ToRequest(string? id) => new(HttpMethod.Delete, $"{Wire.Sessions}/{id}");
    }
}
