using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Sessions;

/// <summary>PATCH /sessions/{id}: the status rules end to end, field semantics, checks and preconditions (contract §3, §4, §5).</summary>
public abstract class UpdateSessionTests(ApiFixture api)
{
    private static readonly Dictionary<string, string[]> PathTo = new()
    {
        ["intake"] = [],
        ["planning"] = ["planning"],
        ["generating"] = ["generating"],
        ["assembling"] = ["generating", "assembling"],
        ["completed"] = ["generating", "assembling", "completed"],
        ["failed"] = ["failed"],
        ["cancelled"] = ["cancelled"],
    };

    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["intake"] = ["planning", "generating", "failed", "cancelled"],
        ["planning"] = ["generating", "failed", "cancelled"],
        ["generating"] = ["planning", "assembling", "failed", "cancelled"],
        ["assembling"] = ["generating", "completed", "failed", "cancelled"],
        ["completed"] = [],
        ["failed"] = [],
        ["cancelled"] = [],
    };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> EveryStatusPair
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var from in PathTo.Keys)
            {
                foreach (var to in new[] { "intake", "planning", "generating", "assembling", "completed", "failed", "cancelled", "expired" })
                {
                    data.Add(from, to);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(EveryStatusPair))]
    public async Task Every_status_pair_follows_the_lifecycle_table(string from, string to)
    {
        var user = await api.CreateUserAsync();
        var id = await user.Client.CreateSessionInStatusAsync(PathTo[from]);
        var before = await user.Client.GetSessionAsync(id);
        var terminal = Allowed[from].Length == 0;

        using var response = await user.Client.PatchJsonAsync($"{Wire.Sessions}/{id}", $$"""{"status":"{{to}}"}""");

        var after = await user.Client.GetSessionAsync(id);
        var events = after.GetProperty("events");
        if (!terminal && to == from)
        {
            // Same status: a no-op, not an error, and no event.
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(before.GetRawText(), after.GetRawText());
        }
        else if (Allowed[from].Contains(to))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var updated = await response.ReadJsonAsync();
            Shapes.AssertKeys(Shapes.Session, updated);
            Assert.Equal(to, updated.GetProperty("status").GetString());
            var last = events[events.GetArrayLength() - 1];
            Assert.Equal("status_changed", last.GetProperty("type").GetString());
            Assert.Equal(to, last.GetProperty("stage").GetString());
            Assert.Equal($$"""{"from":"{{from}}","to":"{{to}}"}""", last.GetProperty("payload").GetRawText());
            Assert.Equal(before.GetProperty("events").GetArrayLength() + 1, events.GetArrayLength());
        }
        else
        {
            var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict);
            Assert.Equal(from, problem.GetProperty("currentStatus").GetString());
            if (!terminal)
            {
                Assert.Equal("invalid_status_transition", problem.GetProperty("code").GetString());
                Assert.Equal(Allowed[from], problem.GetProperty("allowedStatuses").EnumerateArray().Select(s => s.GetString()));
                foreach (var next in Allowed[from])
                {
                    Assert.Contains(next, problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
                }
            }
            else
            {
                Assert.Equal("session_read_only", problem.GetProperty("code").GetString());
            }

            Assert.Equal(before.GetRawText(), after.GetRawText());
        }
    }

    [Fact]
    public async Task The_whole_lifecycle_with_a_re_plan_and_a_retry()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        string[] path = ["planning", "generating", "planning", "generating", "assembling", "generating", "assembling", "completed"];

        foreach (var status in path)
        {
            await user.Client.UpdateSessionAsync(id, $$"""{"status":"{{status}}"}""");
        }

        var session = await user.Client.GetSessionAsync(id);
        Assert.Equal("completed", session.GetProperty("status").GetString());
        var stages = session.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("stage").GetString());
        Assert.Equal(path, stages);
    }

    [Fact]
    public async Task Fields_are_set_cleared_by_null_and_left_alone_when_absent()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync("""{"prd":{"title":"x"}}""")).Id();

        var set = await user.Client.UpdateSessionAsync(id, """{"plan":{"name":"Pro Plan","limits":{"maxSessions":1000}},"assemblyState":{"step":"assembling","progress":75}}""");
        var cleared = await user.Client.UpdateSessionAsync(id, """{"prd":null}""");

        Assert.Equal("""{"name":"Pro Plan","limits":{"maxSessions":1000}}""", set.GetProperty("plan").GetRawText());
        Assert.Equal("""{"step":"assembling","progress":75}""", set.GetProperty("assemblyState").GetRawText());
        Assert.Equal("""{"title":"x"}""", set.GetProperty("prd").GetRawText());
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("prd").ValueKind);
        Assert.Equal(set.GetProperty("plan").GetRawText(), cleared.GetProperty("plan").GetRawText());
        Assert.Equal(set.GetProperty("assemblyState").GetRawText(), cleared.GetProperty("assemblyState").GetRawText());
        Shapes.AssertKeys(Shapes.Session, cleared);
    }

    [Fact]
    public async Task A_change_bumps_updatedAt_and_the_ETag()
    {
        var user = await api.CreateUserAsync();
        var created = await user.Client.CreateSessionAsync();
        api.Clock.Advance(TimeSpan.FromSeconds(5));

        using var response = await user.Client.PatchJsonAsync($"{Wire.Sessions}/{created.Id()}", """{"plan":{}}""");

        var updated = await response.ReadJsonAsync();
        Assert.Equal(
            Shapes.AssertTimestamp(created.GetProperty("updatedAt")).AddSeconds(5),
            Shapes.AssertTimestamp(updated.GetProperty("updatedAt")));
        Assert.Equal(created.GetProperty("createdAt").GetString(), updated.GetProperty("createdAt").GetString());
        Assert.NotNull(response.Headers.ETag);
    }

    [Fact]
    public async Task The_server_hashes_productObject_with_canonical_JSON()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        const string productObject = """{ "type" : "text-generation", "config": {"maxTokens": 512.0, "language":"en"} }""";
        const string canonical = """{"config":{"language":"en","maxTokens":512},"type":"text-generation"}""";
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

        var updated = await user.Client.UpdateSessionAsync(id, $$"""{"productObject":{{productObject}}}""");
        var reordered = await user.Client.UpdateSessionAsync(id, """{"productObject":{"config":{"language":"en","maxTokens":512},"type":"text-generation"}}""");
        var cleared = await user.Client.UpdateSessionAsync(id, """{"productObject":null}""");

        Assert.Equal(expected, updated.GetProperty("productObjectHash").GetString());
        Assert.Equal(productObject, updated.GetProperty("productObject").GetRawText());
        Assert.Equal(expected, reordered.GetProperty("productObjectHash").GetString());
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("productObjectHash").ValueKind);
    }

    [Fact]
    public async Task A_productObjectHash_check_that_holds_is_accepted()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("""{"a":1}""")));

        var withObject = await user.Client.UpdateSessionAsync(id, $$"""{"productObject":{"a":1.0},"productObjectHash":"{{hash}}"}""");
        var precondition = await user.Client.UpdateSessionAsync(id, $$"""{"productObjectHash":"{{hash}}","status":"planning"}""");

        Assert.Equal(hash, withObject.GetProperty("productObjectHash").GetString());
        Assert.Equal("planning", precondition.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_productObjectHash_that_does_not_match_is_409_with_the_servers_hash_and_changes_nothing()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        await user.Client.UpdateSessionAsync(id, """{"productObject":{"a":1}}""");
        var before = await user.Client.GetSessionAsync(id);
        var wrong = new string('0', 64);
        var serverHashOfNew = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("""{"b":2}""")));

        using var integrity = await user.Client.PatchJsonAsync($"{Wire.Sessions}/{id}", $$"""{"productObject":{"b":2},"productObjectHash":"{{wrong}}","status":"planning"}""");
        using var precondition = await user.Client.PatchJsonAsync($"{Wire.Sessions}/{id}", $$$"""{"productObjectHash":"{{{wrong}}}","plan":{}}""");

        var problem = await integrity.AssertProblemAsync(HttpStatusCode.Conflict, "product_object_hash_mismatch");
        Assert.Equal(serverHashOfNew, problem.GetProperty("productObjectHash").GetString());
        var second = await precondition.AssertProblemAsync(HttpStatusCode.Conflict, "product_object_hash_mismatch");
        Assert.Equal(before.GetProperty("productObjectHash").GetString(), second.GetProperty("productObjectHash").GetString());
        Assert.Equal(before.GetRawText(), (await user.Client.GetSessionAsync(id)).GetRawText());
    }

    [Fact]
    public async Task If_Match_with_a_stale_ETag_is_412_and_changes_nothing_while_the_current_one_succeeds()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        using var first = await user.Client.GetAsync($"{Wire.Sessions}/{id}", Token);
        var stale = first.Headers.ETag!.ToString();
        await user.Client.UpdateSessionAsync(id, """{"plan":{"v":1}}""");
        using var second = await user.Client.GetAsync($"{Wire.Sessions}/{id}", Token);
        var current = second.Headers.ETag!.ToString();
        var before = await user.Client.GetSessionAsync(id);

        using var rejected = await user.Client.SendJsonAsync(HttpMethod.Patch, $"{Wire.Sessions}/{id}", """{"plan":{"v":2}}""", r => r.Headers.TryAddWithoutValidation("If-Match", stale));
        var problem = await rejected.AssertProblemAsync(HttpStatusCode.PreconditionFailed, "precondition_failed");
        Assert.Equal(current, problem.GetProperty("currentETag").GetString());
        Assert.Equal(before.GetRawText(), (await user.Client.GetSessionAsync(id)).GetRawText());

        using var accepted = await user.Client.SendJsonAsync(HttpMethod.Patch, $"{Wire.Sessions}/{id}", """{"plan":{"v":3}}""", r => r.Headers.TryAddWithoutValidation("If-Match", current));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.NotEqual(current, accepted.Headers.ETag?.ToString());
        using var wildcard = await user.Client.SendJsonAsync(HttpMethod.Patch, $"{Wire.Sessions}/{id}", """{"plan":{"v":4}}""", r => r.Headers.TryAddWithoutValidation("If-Match", "*"));
        Assert.Equal(HttpStatusCode.OK, wildcard.StatusCode);
        using var weak = await user.Client.SendJsonAsync(HttpMethod.Patch, $"{Wire.Sessions}/{id}", """{"plan":{"v":5}}""", r => r.Headers.TryAddWithoutValidation("If-Match", "W/" + wildcard.Headers.ETag));
        await weak.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { "{}", "body" },
        { """{"status":"done"}""", "status" },
        { """{"status":"Planning"}""", "status" },
        { """{"status":null}""", "status" },
        { """{"status":3}""", "status" },
        { """{"prd":"x"}""", "prd" },
        { """{"plan":[]}""", "plan" },
        { """{"productObject":true}""", "productObject" },
        { """{"assemblyState":1}""", "assemblyState" },
        { """{"assemblyState":{"progress":-0.1}}""", "assemblyState.progress" },
        { """{"assemblyState":{"progress":100.5}}""", "assemblyState.progress" },
        { """{"assemblyState":{"progress":"50"}}""", "assemblyState.progress" },
        { """{"assemblyState":{"progress":null}}""", "assemblyState.progress" },
        { """{"productObjectHash":"abc"}""", "productObjectHash" },
        { """{"productObjectHash":5}""", "productObjectHash" },
        { """{"productObject":{"n":1e400}}""", "productObject" },
        { """{"productObject":{"s":"\ud800"}}""", "productObject" },
        { """{"prd":{"s":"\ud800"}}""", "prd" },
        { """{"plan":{"steps":["ok","\udc00"]}}""", "plan" },
        { """{"assemblyState":{"progress":50,"step":"\ud83d"}}""", "assemblyState" },
        { """{"assemblyState":{"nested":{"\ud800":"key"}}}""", "assemblyState" },
        { """{"catalogVersion":"1.0"}""", "catalogVersion" },
        { """{"id":"x"}""", "id" },
        { """{"plan":{"a":1,"a":1}}""", "plan" },
        { """{"status":"planning","status":"generating"}""", "status" },
        { """{"plan":{}""", "body" },
        { "[]", "body" },
        { "null", "body" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_bodies_are_400_naming_the_field_and_change_nothing(string body, string field)
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync("""{"prd":{"keep":true}}""")).Id();
        await user.Client.UpdateSessionAsync(id, """{"plan":{"keep":1},"productObject":{"keep":2},"assemblyState":{"progress":10}}""");
        var before = await user.Client.GetSessionAsync(id);

        using var response = await user.Client.PatchJsonAsync($"{Wire.Sessions}/{id}", body);

        await response.AssertValidationProblemAsync(field);
        Assert.Equal(before.GetRawText(), (await user.Client.GetSessionAsync(id)).GetRawText());
    }

    [Theory]
    [InlineData("{\"plan\":{\"x\":\"\u0080\"}}", "plan")]
    [InlineData("{\"productObject\":{\"\u00ff\":1}}", "productObject")]
    [InlineData("{\"status\":\"\u00c3\"}", "status")]
    public async Task Bytes_that_are_not_UTF8_are_400_naming_the_field_and_change_nothing(string latin1, string field)
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync("""{"prd":{"keep":true}}""")).Id();
        var before = await user.Client.GetSessionAsync(id);

        using var response = await user.Client.SendLatin1Async(HttpMethod.Patch, $"{Wire.Sessions}/{id}", latin1);

        await response.AssertValidationProblemAsync(field);
        Assert.Equal(before.GetRawText(), (await user.Client.GetSessionAsync(id)).GetRawText());
    }

    [Fact]
    public async Task An_empty_body_is_400()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();

        using var response = await user.Client.SendJsonAsync(HttpMethod.Patch, $"{Wire.Sessions}/{id}", "");

        await response.AssertValidationProblemAsync("body");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100")]
    [InlineData("33.3")]
    public async Task Progress_from_0_to_100_is_accepted(string progress)
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();

        var updated = await user.Client.UpdateSessionAsync(id, "{\"assemblyState\":{\"step\":\"x\",\"progress\":" + progress + "}}");

        Assert.Equal(progress, updated.GetProperty("assemblyState").GetProperty("progress").GetRawText());
    }

    [Fact]
    public async Task A_session_past_its_expiry_reads_as_expired_and_rejects_changes_and_events()
    {
        var user = await api.CreateUserAsync();
        var id = await user.Client.CreateSessionInStatusAsync("planning");
        api.Clock.Advance(TimeSpan.FromDays(30));
        var before = await user.Client.GetSessionAsync(id);

        using var patch = await user.Client.PatchJsonAsync($"{Wire.Sessions}/{id}", """{"status":"generating"}""");
        using var append = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress"}""");

        Assert.Equal("expired", before.GetProperty("status").GetString());
        await patch.AssertProblemAsync(HttpStatusCode.Conflict, "session_expired");
        await append.AssertProblemAsync(HttpStatusCode.Conflict, "session_expired");

        // Nothing changed, but what the sweeper may have persisted meanwhile (the clock jumped past its interval too):
        // the expiry itself, a status_changed event to expired and its updatedAt.
        var after = await user.Client.GetSessionAsync(id);
        Assert.Equal(Content(before), Content(after));
        var beforeEvents = before.GetProperty("events").GetArrayLength();
        Assert.All(after.GetProperty("events").EnumerateArray().Skip(beforeEvents), e =>
            Assert.Equal(("status_changed", "expired"), (e.GetProperty("type").GetString(), e.GetProperty("stage").GetString())));
        Assert.True(after.GetProperty("events").GetArrayLength() <= beforeEvents + 1);

        static string Content(JsonElement session) =>
            string.Join(",", session.EnumerateObject().Where(p => p.Name is not "updatedAt" and not "events").Select(p => $"{p.Name}={p.Value.GetRawText()}"));
    }

    [Fact]
    public async Task Another_users_session_is_404_and_unchanged()
    {
        var owner = await api.CreateUserAsync();
        var stranger = await api.CreateUserAsync();
        var id = (await owner.Client.CreateSessionAsync()).Id();
        var before = await owner.Client.GetSessionAsync(id);

        using var response = await stranger.Client.PatchJsonAsync($"{Wire.Sessions}/{id}", """{"status":"planning"}""");

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(before.GetRawText(), (await owner.Client.GetSessionAsync(id)).GetRawText());
    }

    [Fact]
    public async Task A_read_only_key_cannot_change_a_session()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var reader = await api.CreateKeyAsync(user.UserId, user.OrganizationId, ["sessions:read"]);
        using var client = api.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", reader.PlainText);

        using var response = await client.PatchJsonAsync($"{Wire.Sessions}/{id}", """{"status":"planning"}""");
        using var read = await client.GetAsync($"{Wire.Sessions}/{id}", Token);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("intake", (await read.ReadJsonAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Concurrent_PATCHes_with_the_same_If_Match_let_exactly_one_win()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        using var read = await user.Client.GetAsync($"{Wire.Sessions}/{id}", Token);
        var etag = read.Headers.ETag!.ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            user.Client.SendJsonAsync(HttpMethod.Patch, $"{Wire.Sessions}/{id}", "{\"plan\":{\"writer\":" + i + "}}", r => r.Headers.TryAddWithoutValidation("If-Match", etag))));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(11, responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
        var winner = await responses.Single(r => r.StatusCode == HttpStatusCode.OK).ReadJsonAsync();
        Assert.Equal(winner.GetProperty("plan").GetRawText(), (await user.Client.GetSessionAsync(id)).GetProperty("plan").GetRawText());
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Concurrent_status_changes_never_lose_an_update()
    {
        var user = await api.CreateUserAsync();
        var id = await user.Client.CreateSessionInStatusAsync("generating");

        // Each of these moves generating -> planning or planning -> generating; applied one after another on fresh
        // state, every accepted change leaves exactly one status_changed event behind.
        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            user.Client.PatchJsonAsync($"{Wire.Sessions}/{id}", i % 2 == 0 ? """{"status":"planning"}""" : """{"status":"generating"}""")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var session = await user.Client.GetSessionAsync(id);
        var changes = session.GetProperty("events").EnumerateArray().Skip(1).ToArray();
        string? previous = "generating";
        foreach (var change in changes)
        {
            var payload = change.GetProperty("payload");
            Assert.Equal(previous, payload.GetProperty("from").GetString());
            previous = payload.GetProperty("to").GetString();
        }

        Assert.Equal(previous, session.GetProperty("status").GetString());
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}
