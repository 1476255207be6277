using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Sessions;

/// <summary>GET /sessions/{id} and GET /sessions/{id}/events/{eventId} (contract §3, §4).</summary>
public abstract class GetSessionTests(ApiFixture api)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Returns_the_session_with_its_events_oldest_first_and_an_ETag()
    {
        var user = await api.CreateUserAsync();
        var id = await user.Client.CreateSessionInStatusAsync("planning", "generating");
        using var appended = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress","message":"m","stage":"generating","payload":{"step":2}}""");
        Assert.Equal(HttpStatusCode.Created, appended.StatusCode);

        using var response = await user.Client.GetAsync($"{Wire.Sessions}/{id}", Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag!.IsWeak);
        var session = await response.ReadJsonAsync();
        Shapes.AssertKeys(Shapes.SessionDetails, session);
        var events = session.GetProperty("events").EnumerateArray().ToArray();
        Assert.Equal(["status_changed", "status_changed", "progress"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.All(events, e => Shapes.AssertKeys(Shapes.Event, e));
        Assert.Equal("""{"from":"intake","to":"planning"}""", events[0].GetProperty("payload").GetRawText());
        Assert.Equal("planning", events[0].GetProperty("stage").GetString());
        Assert.Equal("""{"from":"planning","to":"generating"}""", events[1].GetProperty("payload").GetRawText());
        Assert.Equal("""{"step":2}""", events[2].GetProperty("payload").GetRawText());
        Assert.All(events, e => Assert.Equal(id, e.GetProperty("sessionId").GetString()));
        Assert.All(events, e => Assert.Equal(user.UserId, e.GetProperty("userId").GetString()));
    }

    [Fact]
    public async Task A_long_log_is_returned_whole_and_in_order_while_it_is_streamed_from_the_database()
    {
        // About 200 KB of events: the answer is written in many flushes while the events are read (docs/performance.md).
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var filler = new string('x', 500);
        for (var i = 0; i < 300; i++)
        {
            using var appended = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", $$"""{"type":"progress","message":"{{i}} {{filler}}"}""");
            Assert.Equal(HttpStatusCode.Created, appended.StatusCode);
        }

        using var response = await user.Client.GetAsync($"{Wire.Sessions}/{id}", Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = (await response.ReadJsonAsync()).GetProperty("events").EnumerateArray().ToArray();
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"{i} {filler}"), events.Select(e => e.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task A_new_session_has_an_empty_event_list()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();

        var session = await user.Client.GetSessionAsync(id);

        Assert.Equal(0, session.GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task If_None_Match_with_the_current_ETag_is_304_and_a_stale_one_is_200()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        using var first = await user.Client.GetAsync($"{Wire.Sessions}/{id}", Token);
        var etag = first.Headers.ETag!;

        var conditional = new HttpRequestMessage(HttpMethod.Get, $"{Wire.Sessions}/{id}");
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await user.Client.SendAsync(conditional, Token);
        await user.Client.UpdateSessionAsync(id, """{"status":"planning"}""");
        var afterChange = new HttpRequestMessage(HttpMethod.Get, $"{Wire.Sessions}/{id}");
        afterChange.Headers.IfNoneMatch.Add(etag);
        using var changed = await user.Client.SendAsync(afterChange, Token);

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag);
    }

    [Fact]
    public async Task Another_users_session_is_404_exactly_like_a_missing_one()
    {
        var owner = await api.CreateUserAsync();
        var stranger = await api.CreateUserAsync();
        var id = (await owner.Client.CreateSessionAsync()).Id();

        using var foreign = await stranger.Client.GetAsync($"{Wire.Sessions}/{id}", Token);
        using var missing = await stranger.Client.GetAsync($"{Wire.Sessions}/{Guid.CreateVersion7()}", Token);

        var foreignProblem = await foreign.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var missingProblem = await missing.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(foreignProblem.GetProperty("title").GetString(), missingProblem.GetProperty("title").GetString());
        Assert.DoesNotContain(owner.UserId, await foreign.ReadTextAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("12345")]
    [InlineData("01a22983-d23e-7bc2-863d-3b18d415b1e")]
    [InlineData("sess_8f3b2c9d7a1e4f2b")]
    public async Task A_path_id_that_is_not_a_UUID_is_404(string id)
    {
        var user = await api.CreateUserAsync();

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Patch, HttpMethod.Delete })
        {
            using var response = await user.Client.SendJsonAsync(method, $"{Wire.Sessions}/{id}", method == HttpMethod.Patch ? """{"status":"planning"}""" : null);
            await response.AssertProblemAsync(HttpStatusCode.NotFound);
        }

        using var events = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"x"}""");
        await events.AssertProblemAsync(HttpStatusCode.NotFound);
        using var oneEvent = await user.Client.GetAsync($"{Wire.Sessions}/{Guid.CreateVersion7()}/events/{id}", Token);
        await oneEvent.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_event_is_readable_at_its_Location_and_only_by_its_owner_under_its_own_session()
    {
        var owner = await api.CreateUserAsync();
        var stranger = await api.CreateUserAsync();
        var id = (await owner.Client.CreateSessionAsync()).Id();
        var otherId = (await owner.Client.CreateSessionAsync()).Id();
        using var appended = await owner.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"info"}""");
        var location = appended.Headers.Location!.OriginalString;
        var created = await appended.ReadJsonAsync();

        using var fetched = await owner.Client.GetAsync(location, Token);
        using var foreign = await stranger.Client.GetAsync(location, Token);
        using var wrongSession = await owner.Client.GetAsync($"{Wire.Sessions}/{otherId}/events/{created.Id()}", Token);

        Assert.Equal($"{Wire.Sessions}/{id}/events/{created.Id()}", location);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal(created.GetRawText(), (await fetched.ReadJsonAsync()).GetRawText());
        await foreign.AssertProblemAsync(HttpStatusCode.NotFound);
        await wrongSession.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_key_without_the_read_scope_is_403()
    {
        var writer = await api.CreateUserAsync("org", "sessions:write");
        var id = (await writer.Client.CreateSessionAsync()).Id();

        using var response = await writer.Client.GetAsync($"{Wire.Sessions}/{id}", Token);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Responses_are_utf8_json()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync("""{"prd":{"name":"Café ☕"}}""")).Id();

        using var response = await user.Client.GetAsync($"{Wire.Sessions}/{id}", Token);

        Assert.Equal(new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" }, response.Content.Headers.ContentType);
        Assert.Equal("Café ☕", (await response.ReadJsonAsync()).GetProperty("prd").GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Array, (await response.ReadJsonAsync()).GetProperty("events").ValueKind);
    }
}
