using System.Net;
using System.Text.Json;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Domain.ApiKeys;

namespace Runtype.Api.Tests.Webhooks;

/// <summary>
/// The endpoint management calls (contract §7): shapes, paging, PATCH, DELETE, the secret shown only on create and
/// rotate, validation, ownership (another user's endpoint is a 404), scopes and idempotency keys.
/// </summary>
public abstract class WebhookEndpointsTests(ApiFixture api)
{
    private const string Url = "http://127.0.0.1:9/hooks";

    private static readonly string[] EndpointFields = ["id", "url", "description", "eventTypes", "enabled", "disabledReason", "createdAt", "updatedAt"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_answers_201_with_Location_and_the_endpoint_with_its_secret_which_no_read_shows_again()
    {
        var user = await api.CreateUserAsync();

        using var response = await user.Client.PostJsonAsync(
            WebhookWire.Endpoints, $$"""{"url":"{{Url}}","eventTypes":["session.completed","session.failed"],"description":"CRM sync"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync();
        Assert.Equal([.. EndpointFields, "secret"], created.Keys());
        Assert.Equal($"{WebhookWire.Endpoints}/{created.Id()}", response.Headers.Location!.OriginalString);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$", created.Id());
        Assert.Equal(Url, created.GetProperty("url").GetString());
        Assert.Equal("CRM sync", created.GetProperty("description").GetString());
        Assert.Equal(["session.completed", "session.failed"], created.GetProperty("eventTypes").EnumerateArray().Select(t => t.GetString()));
        Assert.True(created.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("disabledReason").ValueKind);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", created.GetProperty("createdAt").GetString());
        Assert.Equal(created.GetProperty("createdAt").GetString(), created.GetProperty("updatedAt").GetString());
        var secret = created.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);

        var read = await user.Client.GetEndpointAsync(created.Id());
        Assert.Equal(EndpointFields, read.Keys());
        using var list = await user.Client.GetAsync(WebhookWire.Endpoints, Token);
        var listed = await list.ReadTextAsync();
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Absent_or_empty_event_types_mean_all_of_them_and_a_repeated_type_counts_once()
    {
        var user = await api.CreateUserAsync();

        using var absent = await user.Client.PostJsonAsync(WebhookWire.Endpoints, $$"""{"url":"{{Url}}"}""");
        using var empty = await user.Client.PostJsonAsync(WebhookWire.Endpoints, $$"""{"url":"{{Url}}","eventTypes":[]}""");
        using var twice = await user.Client.PostJsonAsync(WebhookWire.Endpoints, $$"""{"url":"{{Url}}","eventTypes":["session.created","session.created"]}""");

        Assert.Equal(0, (await absent.ReadJsonAsync()).GetProperty("eventTypes").GetArrayLength());
        Assert.Equal(0, (await empty.ReadJsonAsync()).GetProperty("eventTypes").GetArrayLength());
        Assert.Equal(["session.created"], (await twice.ReadJsonAsync()).GetProperty("eventTypes").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(JsonValueKind.Null, (await absent.ReadJsonAsync()).GetProperty("description").ValueKind);
    }

    [Fact]
    public async Task List_pages_the_callers_endpoints_newest_first()
    {
        var user = await api.CreateUserAsync();
        var stranger = await api.CreateUserAsync();
        await stranger.Client.CreateEndpointAsync(Url);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await user.Client.CreateEndpointAsync(Url)).Id());
            api.Clock.Advance(TimeSpan.FromMilliseconds(5));
        }

        using var first = await user.Client.GetAsync($"{WebhookWire.Endpoints}?limit=2", Token);
        using var second = await user.Client.GetAsync($"{WebhookWire.Endpoints}?limit=2&offset=2", Token);

        var page1 = await first.ReadJsonAsync();
        var page2 = await second.ReadJsonAsync();
        Assert.Equal(["data", "pagination"], page1.Keys());
        Assert.Equal([ids[2], ids[1]], page1.GetProperty("data").EnumerateArray().Select(e => e.Id()));
        Assert.Equal([ids[0]], page2.GetProperty("data").EnumerateArray().Select(e => e.Id()));
        Assert.Equal("""{"limit":2,"offset":0,"total":3}""", page1.GetProperty("pagination").GetRawText());
        Assert.Equal("""{"limit":2,"offset":2,"total":3}""", page2.GetProperty("pagination").GetRawText());
        Assert.All(page1.GetProperty("data").EnumerateArray(), e => Assert.Equal(EndpointFields, e.Keys()));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("offset=-1", "offset")]
    public async Task List_refuses_bad_paging(string query, string field)
    {
        var user = await api.CreateUserAsync();
        using var response = await user.Client.GetAsync($"{WebhookWire.Endpoints}?{query}", Token);
        await response.AssertValidationProblemAsync(field);
    }

    [Fact]
    public async Task Patch_changes_only_what_it_names_and_answers_the_endpoint()
    {
        var user = await api.CreateUserAsync();
        var created = await user.Client.CreateEndpointAsync(Url, "session.created");
        api.Clock.Advance(TimeSpan.FromSeconds(1));

        var described = await user.Client.UpdateEndpointAsync(created.Id(), """{"description":"billing"}""");
        var retyped = await user.Client.UpdateEndpointAsync(created.Id(), """{"eventTypes":["session.deleted"],"url":"http://127.0.0.1:9/v2"}""");
        var cleared = await user.Client.UpdateEndpointAsync(created.Id(), """{"description":null,"eventTypes":null}""");
        var disabled = await user.Client.UpdateEndpointAsync(created.Id(), """{"enabled":false}""");

        Assert.Equal(EndpointFields, described.Keys());
        Assert.Equal("billing", described.GetProperty("description").GetString());
        Assert.Equal(["session.created"], described.GetProperty("eventTypes").EnumerateArray().Select(t => t.GetString()));
        Assert.NotEqual(created.GetProperty("updatedAt").GetString(), described.GetProperty("updatedAt").GetString());
        Assert.Equal(created.GetProperty("createdAt").GetString(), described.GetProperty("createdAt").GetString());
        Assert.Equal("http://127.0.0.1:9/v2", retyped.GetProperty("url").GetString());
        Assert.Equal(["session.deleted"], retyped.GetProperty("eventTypes").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("billing", retyped.GetProperty("description").GetString());
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("description").ValueKind);
        Assert.Equal(0, cleared.GetProperty("eventTypes").GetArrayLength());
        Assert.False(disabled.GetProperty("enabled").GetBoolean());
        Assert.Equal(disabled.GetRawText(), (await user.Client.GetEndpointAsync(created.Id())).GetRawText());
    }

    [Theory]
    [InlineData("{}", "body")]
    [InlineData("""{"url":null}""", "url")]
    [InlineData("""{"url":"ftp://127.0.0.1/x"}""", "url")]
    [InlineData("""{"enabled":null}""", "enabled")]
    [InlineData("""{"enabled":"yes"}""", "enabled")]
    [InlineData("""{"eventTypes":["session.updated"]}""", "eventTypes")]
    [InlineData("""{"eventTypes":"session.created"}""", "eventTypes")]
    [InlineData("""{"secret":"whsec_x"}""", "secret")]
    public async Task Patch_refuses_bad_input_and_changes_nothing(string body, string field)
    {
        var user = await api.CreateUserAsync();
        var created = await user.Client.CreateEndpointAsync(Url);

        using var response = await user.Client.PatchJsonAsync($"{WebhookWire.Endpoints}/{created.Id()}", body);

        await response.AssertValidationProblemAsync(field);
        var read = await user.Client.GetEndpointAsync(created.Id());
        created.Keys().Where(k => k != "secret").ToList().ForEach(k => Assert.Equal(created.GetProperty(k).GetRawText(), read.GetProperty(k).GetRawText()));
    }

    [Theory]
    [InlineData("""{}""", "url")]
    [InlineData("""{"url":""}""", "url")]
    [InlineData("""{"url":"/relative/path"}""", "url")]
    [InlineData("""{"url":"not a url"}""", "url")]
    [InlineData("""{"url":"ftp://127.0.0.1/x"}""", "url")]
    [InlineData("""{"url":"http://user:pass@127.0.0.1/x"}""", "url")]
    [InlineData("""{"url":" http://127.0.0.1/x"}""", "url")]
    [InlineData("""{"url":42}""", "url")]
    [InlineData("""{"url":"http://127.0.0.1/x","eventTypes":["session.everything"]}""", "eventTypes")]
    [InlineData("""{"url":"http://127.0.0.1/x","eventTypes":[null]}""", "eventTypes")]
    [InlineData("""{"url":"http://127.0.0.1/x","eventTypes":{"a":1}}""", "eventTypes")]
    [InlineData("""{"url":"http://127.0.0.1/x","enabled":true}""", "enabled")]
    public async Task Create_refuses_bad_input_naming_the_field(string body, string field)
    {
        var user = await api.CreateUserAsync();

        using var response = await user.Client.PostJsonAsync(WebhookWire.Endpoints, body);

        await response.AssertValidationProblemAsync(field);
        using var list = await user.Client.GetAsync(WebhookWire.Endpoints, Token);
        Assert.Equal(0, (await list.ReadJsonAsync()).GetProperty("pagination").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Create_refuses_a_url_or_description_over_its_limit()
    {
        var user = await api.CreateUserAsync();
        var longUrl = "http://127.0.0.1/" + new string('a', 2048 - "http://127.0.0.1/".Length + 1);

        using var tooLong = await user.Client.PostJsonAsync(WebhookWire.Endpoints, JsonSerializer.Serialize(new { url = longUrl }));
        using var longest = await user.Client.PostJsonAsync(WebhookWire.Endpoints, JsonSerializer.Serialize(new { url = longUrl[..^1] }));
        using var wordy = await user.Client.PostJsonAsync(WebhookWire.Endpoints, JsonSerializer.Serialize(new { url = Url, description = new string('d', 501) }));

        await tooLong.AssertValidationProblemAsync("url");
        Assert.Equal(HttpStatusCode.Created, longest.StatusCode);
        await wordy.AssertValidationProblemAsync("description");
    }

    [Fact]
    public async Task Delete_answers_204_then_the_endpoint_is_gone()
    {
        var user = await api.CreateUserAsync();
        var created = await user.Client.CreateEndpointAsync(Url);

        using var deleted = await user.Client.DeleteAsync($"{WebhookWire.Endpoints}/{created.Id()}", Token);
        using var again = await user.Client.DeleteAsync($"{WebhookWire.Endpoints}/{created.Id()}", Token);
        using var read = await user.Client.GetAsync($"{WebhookWire.Endpoints}/{created.Id()}", Token);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(await deleted.Content.ReadAsByteArrayAsync(Token));
        await again.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await read.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Another_users_endpoint_is_404_on_every_call_and_is_left_as_it_was()
    {
        var owner = await api.CreateUserAsync();
        var stranger = await api.CreateUserAsync();
        var endpoint = await owner.Client.CreateEndpointAsync(Url);
        var test = await owner.Client.PostJsonAsync($"{WebhookWire.Endpoints}/{endpoint.Id()}/test", null);
        var delivery = await test.ReadJsonAsync();
        var path = $"{WebhookWire.Endpoints}/{endpoint.Id()}";

        HttpResponseMessage[] answers =
        [
            await stranger.Client.GetAsync(path, Token),
            await stranger.Client.PatchJsonAsync(path, """{"enabled":false}"""),
            await stranger.Client.DeleteAsync(path, Token),
            await stranger.Client.PostJsonAsync($"{path}/rotate-secret", null),
            await stranger.Client.PostJsonAsync($"{path}/test", null),
            await stranger.Client.GetAsync($"{path}/deliveries", Token),
            await stranger.Client.PostJsonAsync($"{path}/deliveries/{delivery.Id()}/retry", null),
            await stranger.Client.GetAsync($"{WebhookWire.Endpoints}/{Guid.CreateVersion7()}", Token),
            await stranger.Client.GetAsync($"{WebhookWire.Endpoints}/not-a-uuid", Token),
            await owner.Client.PostJsonAsync($"{path}/deliveries/{Guid.CreateVersion7()}/retry", null),
        ];

        foreach (var answer in answers)
        {
            await answer.AssertProblemAsync(HttpStatusCode.NotFound);
            answer.Dispose();
        }

        test.Dispose();
        var read = await owner.Client.GetEndpointAsync(endpoint.Id());
        Assert.True(read.GetProperty("enabled").GetBoolean());
        using var strangersList = await stranger.Client.GetAsync(WebhookWire.Endpoints, Token);
        Assert.Equal(0, (await strangersList.ReadJsonAsync()).GetProperty("pagination").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Reading_needs_webhooks_read_and_changing_needs_webhooks_write()
    {
        var owner = await api.CreateUserAsync();
        var endpoint = await owner.Client.CreateEndpointAsync(Url);
        var sessionsOnly = await api.CreateUserAsync("org_test", ApiKeyScopes.SessionsRead, ApiKeyScopes.SessionsWrite);
        var reader = await api.CreateUserAsync("org_test", ApiKeyScopes.WebhooksRead);
        var writer = await api.CreateUserAsync("org_test", ApiKeyScopes.WebhooksWrite);
        using var anonymous = api.CreateAnonymousClient();

        using var sessionsList = await sessionsOnly.Client.GetAsync(WebhookWire.Endpoints, Token);
        using var sessionsCreate = await sessionsOnly.Client.PostJsonAsync(WebhookWire.Endpoints, $$"""{"url":"{{Url}}"}""");
        using var readerList = await reader.Client.GetAsync(WebhookWire.Endpoints, Token);
        using var readerCreate = await reader.Client.PostJsonAsync(WebhookWire.Endpoints, $$"""{"url":"{{Url}}"}""");
        using var readerDelete = await reader.Client.DeleteAsync($"{WebhookWire.Endpoints}/{endpoint.Id()}", Token);
        using var writerCreate = await writer.Client.PostJsonAsync(WebhookWire.Endpoints, $$"""{"url":"{{Url}}"}""");
        using var writerList = await writer.Client.GetAsync(WebhookWire.Endpoints, Token);
        using var nobody = await anonymous.GetAsync(WebhookWire.Endpoints, Token);

        await sessionsList.AssertProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await sessionsCreate.AssertProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        Assert.Equal(HttpStatusCode.OK, readerList.StatusCode);
        await readerCreate.AssertProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await readerDelete.AssertProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        Assert.Equal(HttpStatusCode.Created, writerCreate.StatusCode);
        await writerList.AssertProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await nobody.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("Bearer", nobody.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_POSTs_honour_Idempotency_Key()
    {
        var user = await api.CreateUserAsync();
        var body = $$"""{"url":"{{Url}}"}""";

        using var first = await user.Client.SendJsonAsync(HttpMethod.Post, WebhookWire.Endpoints, body, r => r.Headers.Add("Idempotency-Key", "ep-1"));
        using var replay = await user.Client.SendJsonAsync(HttpMethod.Post, WebhookWire.Endpoints, body, r => r.Headers.Add("Idempotency-Key", "ep-1"));
        using var reused = await user.Client.SendJsonAsync(HttpMethod.Post, WebhookWire.Endpoints, $$"""{"url":"{{Url}}/other"}""", r => r.Headers.Add("Idempotency-Key", "ep-1"));
        var created = await first.ReadJsonAsync();
        var rotate = $"{WebhookWire.Endpoints}/{created.Id()}/rotate-secret";
        using var rotated = await user.Client.SendJsonAsync(HttpMethod.Post, rotate, null, r => r.Headers.Add("Idempotency-Key", "rot-1"));
        using var rotatedAgain = await user.Client.SendJsonAsync(HttpMethod.Post, rotate, null, r => r.Headers.Add("Idempotency-Key", "rot-1"));
        var test = $"{WebhookWire.Endpoints}/{created.Id()}/test";
        using var tested = await user.Client.SendJsonAsync(HttpMethod.Post, test, null, r => r.Headers.Add("Idempotency-Key", "test-1"));
        using var testedAgain = await user.Client.SendJsonAsync(HttpMethod.Post, test, null, r => r.Headers.Add("Idempotency-Key", "test-1"));

        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(created.GetRawText(), (await replay.ReadJsonAsync()).GetRawText());
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        await reused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        Assert.Equal((await rotated.ReadJsonAsync()).GetRawText(), (await rotatedAgain.ReadJsonAsync()).GetRawText());
        Assert.Equal(HttpStatusCode.Accepted, testedAgain.StatusCode);
        Assert.Equal((await tested.ReadJsonAsync()).Id(), (await testedAgain.ReadJsonAsync()).Id());
        using var list = await user.Client.GetAsync(WebhookWire.Endpoints, Token);
        Assert.Equal(1, (await list.ReadJsonAsync()).GetProperty("pagination").GetProperty("total").GetInt32());
        Assert.Single(await user.Client.DeliveriesAsync(created.Id()));
    }

    [Fact]
    public async Task Test_answers_202_with_the_delivery_and_the_log_filters_by_status()
    {
        var user = await api.CreateUserAsync();
        var endpoint = await user.Client.CreateEndpointAsync(Url, "session.completed");

        using var response = await user.Client.PostJsonAsync($"{WebhookWire.Endpoints}/{endpoint.Id()}/test", null);
        var delivery = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(["id", "messageId", "eventType", "status", "attempts", "lastAttemptAt", "lastResponseStatus", "nextAttemptAt", "createdAt"], delivery.Keys());
        Assert.Equal("webhook.test", delivery.GetProperty("eventType").GetString());
        Assert.Equal("pending", delivery.GetProperty("status").GetString());
        Assert.Equal(0, delivery.GetProperty("attempts").GetInt32());
        Assert.StartsWith("msg_", delivery.GetProperty("messageId").GetString(), StringComparison.Ordinal);
        Assert.Equal(delivery.GetProperty("createdAt").GetString(), delivery.GetProperty("nextAttemptAt").GetString());
        Assert.Equal([delivery.Id()], (await user.Client.DeliveriesAsync(endpoint.Id())).Select(d => d.Id()));
        Assert.Empty(await user.Client.DeliveriesAsync(endpoint.Id(), "succeeded"));
        using var bad = await user.Client.GetAsync($"{WebhookWire.Endpoints}/{endpoint.Id()}/deliveries?status=done", Token);
        await bad.AssertValidationProblemAsync("status");
        using var page = await user.Client.GetAsync($"{WebhookWire.Endpoints}/{endpoint.Id()}/deliveries?limit=1&offset=0", Token);
        Assert.Equal("""{"limit":1,"offset":0,"total":1}""", (await page.ReadJsonAsync()).GetProperty("pagination").GetRawText());
    }
}
