using System.Net;
using System.Text.Json;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Sessions;

/// <summary>GET /sessions/{id}/events: a session's log, oldest first, a page at a time after a cursor.</summary>
public abstract class ListSessionEventsTests(ApiFixture api)
{
    private static readonly string[] PageShape = ["data", "pagination"];
    private static readonly string[] PaginationShape = ["limit", "after", "next"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pages_through_the_log_oldest_first_and_next_continues_where_a_page_ends()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        await AppendAsync(user, id, 4);
        await user.Client.UpdateSessionAsync(id, """{"status":"planning"}""");

        var first = await PageAsync(user, id, "limit=2");
        var second = await PageAsync(user, id, $"after={Next(first)}&limit=2");
        var third = await PageAsync(user, id, $"after={Next(second)}&limit=2");

        Shapes.AssertKeys(PageShape, first);
        Shapes.AssertKeys(PaginationShape, first.GetProperty("pagination"));
        var pages = new[] { first, second, third };
        Assert.Equal([2, 2, 1], pages.Select(p => p.GetProperty("data").GetArrayLength()));
        Assert.All(pages.SelectMany(p => p.GetProperty("data").EnumerateArray()), e => Shapes.AssertKeys(Shapes.Event, e));
        Assert.Equal(2, first.GetProperty("pagination").GetProperty("limit").GetInt32());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("pagination").GetProperty("after").ValueKind);
        Assert.Equal(Next(first), second.GetProperty("pagination").GetProperty("after").GetString());
        Assert.Equal(first.GetProperty("data")[1].Id(), Next(first));
        Assert.Equal(JsonValueKind.Null, third.GetProperty("pagination").GetProperty("next").ValueKind);

        // The pages together are the log of the session details, event for event, byte for byte.
        var details = (await user.Client.GetSessionAsync(id)).GetProperty("events").EnumerateArray().Select(e => e.GetRawText());
        Assert.Equal(details, pages.SelectMany(p => p.GetProperty("data").EnumerateArray()).Select(e => e.GetRawText()));
        Assert.Equal("status_changed", third.GetProperty("data")[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Without_parameters_the_page_starts_at_the_first_event_with_a_limit_of_100()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();

        var empty = await PageAsync(user, id, string.Empty);
        await AppendAsync(user, id, 3);
        var page = await PageAsync(user, id, string.Empty);
        var largest = await PageAsync(user, id, "limit=500");

        Assert.Equal(0, empty.GetProperty("data").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("pagination").GetProperty("next").ValueKind);
        Assert.Equal(100, page.GetProperty("pagination").GetProperty("limit").GetInt32());
        Assert.Equal(3, page.GetProperty("data").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, page.GetProperty("pagination").GetProperty("next").ValueKind);
        Assert.Equal(500, largest.GetProperty("pagination").GetProperty("limit").GetInt32());
    }

    [Fact]
    public async Task A_full_last_page_still_says_next_only_when_more_events_exist_and_after_the_last_event_is_empty()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var ids = await AppendAsync(user, id, 2);

        var exact = await PageAsync(user, id, "limit=2");
        var afterLast = await PageAsync(user, id, $"after={ids[^1]}");
        await AppendAsync(user, id, 1);
        var newer = await PageAsync(user, id, $"after={ids[^1]}");

        Assert.Equal(JsonValueKind.Null, exact.GetProperty("pagination").GetProperty("next").ValueKind);
        Assert.Equal(0, afterLast.GetProperty("data").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, afterLast.GetProperty("pagination").GetProperty("next").ValueKind);
        Assert.Equal(1, newer.GetProperty("data").GetArrayLength());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=1.5", "limit")]
    [InlineData("after=nope", "after")]
    [InlineData("after=0195f3c4-1111-7aaa-8bbb-000000000000", "after")]
    public async Task Bad_query_values_are_400_naming_the_field(string query, string field)
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        await AppendAsync(user, id, 1);

        using var response = await user.Client.GetAsync($"{Wire.Sessions}/{id}/events?{query}", Token);

        await response.AssertValidationProblemAsync(field);
    }

    [Fact]
    public async Task An_event_of_another_session_is_not_a_valid_after()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var other = (await user.Client.CreateSessionAsync()).Id();
        var otherEvent = (await AppendAsync(user, other, 1))[0];

        using var response = await user.Client.GetAsync($"{Wire.Sessions}/{id}/events?after={otherEvent}", Token);

        var problem = await response.AssertValidationProblemAsync("after");
        Assert.Contains(otherEvent, problem.GetProperty("errors").GetProperty("after")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_users_session_is_404_like_a_missing_one_whatever_the_cursor()
    {
        var owner = await api.CreateUserAsync();
        var stranger = await api.CreateUserAsync();
        var id = (await owner.Client.CreateSessionAsync()).Id();
        var eventId = (await AppendAsync(owner, id, 1))[0];

        using var theirs = await stranger.Client.GetAsync($"{Wire.Sessions}/{id}/events", Token);
        using var theirsWithCursor = await stranger.Client.GetAsync($"{Wire.Sessions}/{id}/events?after={eventId}", Token);
        using var missing = await stranger.Client.GetAsync($"{Wire.Sessions}/{Guid.CreateVersion7()}/events", Token);
        using var notAnId = await stranger.Client.GetAsync($"{Wire.Sessions}/not-a-uuid/events", Token);

        await theirs.AssertProblemAsync(HttpStatusCode.NotFound);
        await theirsWithCursor.AssertProblemAsync(HttpStatusCode.NotFound);
        await missing.AssertProblemAsync(HttpStatusCode.NotFound);
        await notAnId.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Needs_a_credential_with_the_read_scope()
    {
        var owner = await api.CreateUserAsync();
        var id = (await owner.Client.CreateSessionAsync()).Id();
        var writeOnly = await api.CreateUserAsync("org_test", "sessions:write");
        using var anonymous = api.CreateAnonymousClient();

        using var unauthenticated = await anonymous.GetAsync($"{Wire.Sessions}/{id}/events", Token);
        using var forbidden = await writeOnly.Client.GetAsync($"{Wire.Sessions}/{id}/events", Token);

        await unauthenticated.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", unauthenticated.Headers.WwwAuthenticate.First().Scheme);
        await forbidden.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Session_details_still_carry_the_whole_log_beyond_one_page()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        await AppendAsync(user, id, 120);

        var details = await user.Client.GetSessionAsync(id);
        var page = await PageAsync(user, id, string.Empty);

        Assert.Equal(120, details.GetProperty("events").GetArrayLength());
        Assert.Equal(100, page.GetProperty("data").GetArrayLength());
        Assert.Equal(page.GetProperty("data")[99].Id(), Next(page));
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_page_and_the_stream()
    {
        using var client = api.CreateAnonymousClient();

        using var response = await client.GetAsync("/openapi/v1.json", Token);

        var paths = (await response.ReadJsonAsync()).GetProperty("paths");
        var list = paths.GetProperty("/v1/products/generation/sessions/{id}/events").GetProperty("get");
        foreach (var code in new[] { "200", "400", "401", "403", "404" })
        {
            Assert.True(list.GetProperty("responses").TryGetProperty(code, out _), $"GET events does not document {code}");
        }

        Assert.Equal(["after", "limit"], list.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).Where(n => n != "id"));
        var stream = paths.GetProperty("/v1/products/generation/sessions/{id}/events/stream").GetProperty("get");
        var responses = stream.GetProperty("responses");
        foreach (var code in new[] { "200", "204", "400", "401", "403", "404", "429" })
        {
            Assert.True(responses.TryGetProperty(code, out _), $"GET events/stream does not document {code}");
        }

        Assert.Equal(["text/event-stream"], responses.GetProperty("200").GetProperty("content").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["application/problem+json"], responses.GetProperty("429").GetProperty("content").EnumerateObject().Select(p => p.Name));
        Assert.True(responses.GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _));
        Assert.Contains(stream.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Last-Event-ID");
    }

    private static string Next(JsonElement page) => page.GetProperty("pagination").GetProperty("next").GetString()!;

    private static async Task<JsonElement> PageAsync(ApiUser user, string id, string query)
    {
        using var response = await user.Client.GetAsync($"{Wire.Sessions}/{id}/events{(query.Length == 0 ? string.Empty : "?" + query)}", Token);
        var body = await response.ReadTextAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET events?{query} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<string[]> AppendAsync(ApiUser user, string id, int count)
    {
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            using var response = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", "{\"type\":\"progress\",\"payload\":{\"n\":" + i + "}}");
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            ids[i] = (await response.ReadJsonAsync()).Id();
        }

        return ids;
    }
}
