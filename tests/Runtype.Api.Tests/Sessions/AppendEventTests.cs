using System.Net;
using System.Text.Json;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Sessions;

/// <summary>POST /sessions/{id}/events (contract §4, §5).</summary>
public abstract class AppendEventTests(ApiFixture api)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Appends_an_event_with_every_member_and_a_Location_and_bumps_updatedAt()
    {
        var user = await api.CreateUserAsync("org_acme");
        var session = await user.Client.CreateSessionAsync();
        api.Clock.Advance(TimeSpan.FromSeconds(2));

        using var response = await user.Client.PostJsonAsync($"{Wire.Sessions}/{session.Id()}/events",
            """{"type":"progress","message":"Generating flow capabilities...","payload":{"step":2,"totalSteps":5},"stage":"generation"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var appended = await response.ReadJsonAsync();
        Shapes.AssertKeys(Shapes.Event, appended);
        Shapes.AssertUuidV7(appended.GetProperty("id"));
        Assert.Equal($"{Wire.Sessions}/{session.Id()}/events/{appended.Id()}", response.Headers.Location?.OriginalString);
        Assert.Equal(session.Id(), appended.GetProperty("sessionId").GetString());
        Assert.Equal(user.UserId, appended.GetProperty("userId").GetString());
        Assert.Equal("org_acme", appended.GetProperty("organizationId").GetString());
        Assert.Equal("progress", appended.GetProperty("type").GetString());
        Assert.Equal("generation", appended.GetProperty("stage").GetString());
        Assert.Equal("Generating flow capabilities...", appended.GetProperty("message").GetString());
        Assert.Equal("""{"step":2,"totalSteps":5}""", appended.GetProperty("payload").GetRawText());
        var createdAt = Shapes.AssertTimestamp(appended.GetProperty("createdAt"));
        var after = await user.Client.GetSessionAsync(session.Id());
        Assert.Equal(createdAt, Shapes.AssertTimestamp(after.GetProperty("updatedAt")));
        Assert.Equal(Shapes.AssertTimestamp(session.GetProperty("createdAt")).AddSeconds(2), createdAt);
    }

    [Fact]
    public async Task Only_type_is_required_and_payload_defaults_to_an_empty_object()
    {
        var user = await api.CreateUserAsync(organizationId: null);
        var id = (await user.Client.CreateSessionAsync()).Id();

        using var response = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"info"}""");

        var appended = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("{}", appended.GetProperty("payload").GetRawText());
        Assert.Equal(JsonValueKind.Null, appended.GetProperty("stage").ValueKind);
        Assert.Equal(JsonValueKind.Null, appended.GetProperty("message").ValueKind);
        Assert.Equal(JsonValueKind.Null, appended.GetProperty("organizationId").ValueKind);
    }

    [Fact]
    public async Task Strings_at_their_limits_are_accepted()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();

        using var response = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events",
            $$"""{"type":"{{new string('t', 100)}}","stage":"{{new string('s', 100)}}","message":"{{new string('m', 4000)}}"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { "{}", "type" },
        { """{"type":""}""", "type" },
        { """{"type":null}""", "type" },
        { """{"type":7}""", "type" },
        { $$"""{"type":"{{new string('t', 101)}}"}""", "type" },
        { $$"""{"type":"x","stage":"{{new string('s', 101)}}"}""", "stage" },
        { $$"""{"type":"x","message":"{{new string('m', 4001)}}"}""", "message" },
        { """{"type":"x","payload":[1]}""", "payload" },
        { """{"type":"x","payload":"text"}""", "payload" },
        { """{"type":"x","extra":1}""", "extra" },
        { """{"type":"status_changed"}""", "type" },
        { """{"type":"line\nbreak"}""", "type" },
        { """{"type":"x","stage":"tab\there"}""", "stage" },
        { """{"type":"x",}""", "body" },
        { "", "body" },
        { """{"type":"\ud800"}""", "type" },
        { """{"type":"x","message":"\udc00"}""", "message" },
        { """{"type":"x","payload":{"s":"\ud800"}}""", "payload" },
        { """{"type":"x","payload":{"deep":[[{"s":"a\udc00\ud800b"}]]}}""", "payload" },
        { """{"type":"x","payload":{"\ud800":true}}""", "payload" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_bodies_are_400_naming_the_field_and_append_nothing(string body, string field)
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var before = await user.Client.GetSessionAsync(id);

        using var response = await user.Client.SendJsonAsync(HttpMethod.Post, $"{Wire.Sessions}/{id}/events", body);

        await response.AssertValidationProblemAsync(field);
        Assert.Equal(before.GetRawText(), (await user.Client.GetSessionAsync(id)).GetRawText());
    }

    [Theory]
    [InlineData("{\"type\":\"x\",\"payload\":{\"a\":\"\u0080\"}}", "payload")] // found by the fuzz test: was a 500
    [InlineData("{\"type\":\"x\",\"payload\":{\"\u00ff\":1}}", "payload")]
    [InlineData("{\"type\":\"\u00c3\"}", "type")]
    [InlineData("{\"type\":\"x\",\"stage\":\"\u00ff\u00fe\"}", "stage")]
    public async Task Bytes_that_are_not_UTF8_are_400_naming_the_field_and_append_nothing(string latin1, string field)
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var before = await user.Client.GetSessionAsync(id);

        using var response = await user.Client.SendLatin1Async(HttpMethod.Post, $"{Wire.Sessions}/{id}/events", latin1);

        await response.AssertValidationProblemAsync(field);
        Assert.Equal(before.GetRawText(), (await user.Client.GetSessionAsync(id)).GetRawText());
    }

    [Theory]
    [InlineData("cancelled")]
    [InlineData("failed")]
    [InlineData("completed")]
    public async Task A_terminal_session_refuses_events_with_409(string status)
    {
        var user = await api.CreateUserAsync();
        var id = status == "completed"
            ? await user.Client.CreateSessionInStatusAsync("generating", "assembling", "completed")
            : await user.Client.CreateSessionInStatusAsync(status);
        var before = await user.Client.GetSessionAsync(id);

        using var response = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"late"}""");

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "session_read_only");
        Assert.Equal(before.GetRawText(), (await user.Client.GetSessionAsync(id)).GetRawText());
    }

    [Fact]
    public async Task Another_users_session_is_404()
    {
        var owner = await api.CreateUserAsync();
        var stranger = await api.CreateUserAsync();
        var id = (await owner.Client.CreateSessionAsync()).Id();

        using var response = await stranger.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"x"}""");
        using var missing = await stranger.Client.PostJsonAsync($"{Wire.Sessions}/{Guid.CreateVersion7()}/events", """{"type":"x"}""");

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
        await missing.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, (await owner.Client.GetSessionAsync(id)).GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task Many_clients_appending_at_once_all_succeed_none_lost_none_doubled()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        const int Appends = 40;

        var responses = await Task.WhenAll(Enumerable.Range(0, Appends).Select(i =>
            user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", "{\"type\":\"progress\",\"payload\":{\"n\":" + i + "}}")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var createdIds = new HashSet<string>();
        foreach (var response in responses)
        {
            createdIds.Add((await response.ReadJsonAsync()).Id());
            response.Dispose();
        }

        var events = (await user.Client.GetSessionAsync(id)).GetProperty("events").EnumerateArray().ToArray();
        Assert.Equal(Appends, events.Length);
        Assert.Equal(createdIds.Order(), events.Select(e => e.Id()).Order());
        Assert.Equal(Enumerable.Range(0, Appends), events.Select(e => e.GetProperty("payload").GetProperty("n").GetInt32()).Order());
    }
}
