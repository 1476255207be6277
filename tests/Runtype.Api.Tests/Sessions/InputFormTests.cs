using System.Net;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Sessions;

/// <summary>
/// How a request is read, on every call (contract §1 and §5): the Content-Type of a body, the form of an id in a path,
/// a query or a header, and the form of a query value. What is not in the one accepted form is refused with a 4xx
/// problem and changes nothing; nothing is read "leniently" into something else.
/// </summary>
public abstract class InputFormTests(ApiFixture api)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Content-Types with malformed or unsupported parameters (the first three were 500s).</summary>
    public static TheoryData<string> BadContentTypes => new()
    {
        "application/json; charset=",
        "application/json;charset=",
        "application/json; a=",
        "application/json; charset=\"\"",
        "application/json; charset=utf-16",
        "application/json; charset=latin1",
        "application/json; charset=bogus",
        "application/json; charset=utf-8; charset=utf-8",
        "application/json; foo=\"unterminated",
        "application/json;;;",
        "application/json; =x",
        "application/json, text/plain",
        "application/json x",
        "application/",
        "text/plain",
        "",
    };

    [Theory]
    [MemberData(nameof(BadContentTypes))]
    public async Task A_malformed_or_unsupported_Content_Type_is_415_on_every_call_with_a_body_and_changes_nothing(string contentType)
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync("""{"prd":{"keep":true}}""")).Id();
        var before = await user.Client.GetSessionAsync(id);

        foreach (var (method, path, body) in Calls(id))
        {
            using var response = await SendAsync(user, method, path, body, contentType);

            var problem = await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        }

        Assert.Equal(before.GetRawText(), (await user.Client.GetSessionAsync(id)).GetRawText());
        using var list = await user.Client.GetAsync(Wire.Sessions, Token);
        Assert.Equal(1, (await list.ReadJsonAsync()).GetProperty("pagination").GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json;charset=\"utf-8\"")]
    [InlineData("APPLICATION/JSON ; Charset=utf-8")]
    [InlineData("application/json;")]
    public async Task Well_formed_JSON_media_types_in_UTF8_are_accepted(string contentType)
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();

        foreach (var (method, path, body) in Calls(id))
        {
            using var response = await SendAsync(user, method, path, body, contentType);

            Assert.True(response.IsSuccessStatusCode, $"{method} {path} with '{contentType}': {(int)response.StatusCode} {await response.ReadTextAsync()}");
        }
    }

    /// <summary>Forms of a session's id that Guid.TryParse takes but that name nothing here.</summary>
    public static TheoryData<string> LenientIdForms => new() { "braces", "parentheses", "no-dashes", "space-before", "space-after", "tab", "plus", "hex-prefix" };

    [Theory]
    [MemberData(nameof(LenientIdForms))]
    public async Task A_path_id_that_is_not_the_8_4_4_4_12_form_is_404_on_every_route_and_changes_nothing(string form)
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync("""{"prd":{"keep":true}}""")).Id();
        var eventId = await AppendAsync(user, id);
        var before = await user.Client.GetSessionAsync(id);
        var sessionForm = Uri.EscapeDataString(Lenient(id, form));
        var eventForm = Uri.EscapeDataString(Lenient(eventId, form));

        foreach (var (method, path) in new[]
        {
            ("GET", $"{Wire.Sessions}/{sessionForm}"),
            ("PATCH", $"{Wire.Sessions}/{sessionForm}"),
            ("DELETE", $"{Wire.Sessions}/{sessionForm}"),
            ("POST", $"{Wire.Sessions}/{sessionForm}/events"),
            ("GET", $"{Wire.Sessions}/{sessionForm}/events"),
            ("GET", $"{Wire.Sessions}/{sessionForm}/events/{eventId}"),
            ("GET", $"{Wire.Sessions}/{id}/events/{eventForm}"),
            ("GET", $"{Wire.Sessions}/{sessionForm}/events/stream"),
        })
        {
            var body = method switch { "PATCH" => """{"status":"cancelled"}""", "POST" => """{"type":"x"}""", _ => null };
            using var response = await SendAsync(user, method, path, body, "application/json");

            await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        }

        Assert.Equal(before.GetRawText(), (await user.Client.GetSessionAsync(id)).GetRawText());
    }

    [Fact]
    public async Task Ids_in_either_case_name_the_resource_on_every_route()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var eventId = await AppendAsync(user, id);
        var upper = id.ToUpperInvariant();

        using (var get = await user.Client.GetAsync($"{Wire.Sessions}/{upper}", Token))
        using (var getEvent = await user.Client.GetAsync($"{Wire.Sessions}/{upper}/events/{eventId.ToUpperInvariant()}", Token))
        using (var page = await user.Client.GetAsync($"{Wire.Sessions}/{upper}/events?after={eventId.ToUpperInvariant()}", Token))
        using (var patch = await SendAsync(user, "PATCH", $"{Wire.Sessions}/{upper}", """{"plan":{"v":1}}""", "application/json"))
        using (var append = await SendAsync(user, "POST", $"{Wire.Sessions}/{upper}/events", """{"type":"x"}""", "application/json"))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(id, (await get.ReadJsonAsync()).Id());
            Assert.Equal(HttpStatusCode.OK, getEvent.StatusCode);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal(eventId, (await page.ReadJsonAsync()).GetProperty("pagination").GetProperty("after").GetString());
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
            Assert.Equal(HttpStatusCode.Created, append.StatusCode);
        }

        using var delete = await user.Client.DeleteAsync($"{Wire.Sessions}/{upper}", Token);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
    }

    [Theory]
    [MemberData(nameof(LenientIdForms))]
    public async Task An_event_id_in_after_or_Last_Event_ID_in_another_form_is_400_naming_it(string form)
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var eventId = Lenient(await AppendAsync(user, id), form);

        using var page = await user.Client.GetAsync($"{Wire.Sessions}/{id}/events?after={Uri.EscapeDataString(eventId)}", Token);
        await page.AssertValidationProblemAsync("after");

        // A header's value has no surrounding whitespace by definition (RFC 9110 §5.5): those forms are a query's only.
        if (eventId.Trim().Length == eventId.Length)
        {
            using var stream = await EventStreamReader.RequestAsync(user.Client, id, eventId);
            await stream.AssertValidationProblemAsync("Last-Event-ID");
        }
    }

    /// <summary>Query values that are not one plain decimal integer, each with the parameter it must name.</summary>
    public static TheoryData<string, string> BadNumbers => new()
    {
        { "limit=0x10", "limit" },
        { "limit=%2B5", "limit" },
        { "limit=5%00", "limit" },
        { "limit=%205", "limit" },
        { "limit=5%20", "limit" },
        { "limit=1e1", "limit" },
        { "limit=5.0", "limit" },
        { "limit=%D9%A5", "limit" },
        { "limit=", "limit" },
        { "limit=5&limit=6", "limit" },
        { "limit=5&LIMIT=5", "limit" },
        { "offset=%2B0", "offset" },
        { "offset=0&offset=0", "offset" },
        { "status=intake&status=planning", "status" },
        { "status=", "status" },
    };

    [Theory]
    [MemberData(nameof(BadNumbers))]
    public async Task A_query_value_not_in_plain_form_or_repeated_is_400_naming_the_parameter(string query, string field)
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        await AppendAsync(user, id);

        using var list = await user.Client.GetAsync($"{Wire.Sessions}?{query}", Token);
        var problem = await list.AssertValidationProblemAsync(field);
        if (query.Contains('&', StringComparison.Ordinal))
        {
            Assert.Contains("once", problem.GetProperty("errors").GetProperty(field)[0].GetString()!, StringComparison.Ordinal);
        }

        if (field == "limit")
        {
            using var events = await user.Client.GetAsync($"{Wire.Sessions}/{id}/events?{query}", Token);
            await events.AssertValidationProblemAsync("limit");
        }
    }

    [Fact]
    public async Task A_repeated_after_is_400_naming_it()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var eventId = await AppendAsync(user, id);

        using var page = await user.Client.GetAsync($"{Wire.Sessions}/{id}/events?after={eventId}&after={eventId}", Token);

        await page.AssertValidationProblemAsync("after");
    }

    [Theory]
    [InlineData("limit=05", 5)]
    [InlineData("limit=100", 100)]
    [InlineData("limit=1&offset=0", 1)]
    public async Task Plain_decimal_values_are_read_as_written(string query, int limit)
    {
        var user = await api.CreateUserAsync();

        using var list = await user.Client.GetAsync($"{Wire.Sessions}?{query}", Token);

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(limit, (await list.ReadJsonAsync()).GetProperty("pagination").GetProperty("limit").GetInt32());
    }

    /// <summary>A form of <paramref name="id"/> that is not the 8-4-4-4-12 one (most of them Guid.TryParse reads as the same UUID).</summary>
    internal static string Lenient(string id, string form) => form switch
    {
        "braces" => "{" + id + "}",
        "parentheses" => "(" + id + ")",
        "no-dashes" => id.Replace("-", string.Empty, StringComparison.Ordinal),
        "space-before" => " " + id,
        "space-after" => id + " ",
        "tab" => "\t" + id,
        "plus" => "+" + id,
        _ => "0x" + id,
    };

    private static IEnumerable<(string Method, string Path, string Body)> Calls(string id) =>
    [
        ("POST", Wire.Sessions, """{"prd":{"title":"x"}}"""),
        ("PATCH", $"{Wire.Sessions}/{id}", """{"plan":{"steps":[1]}}"""),
        ("POST", $"{Wire.Sessions}/{id}/events", """{"type":"progress"}"""),
    ];

    private static Task<HttpResponseMessage> SendAsync(ApiUser user, string method, string path, string? body, string contentType)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(body));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return user.Client.SendAsync(request, Token);
    }

    private static async Task<string> AppendAsync(ApiUser user, string id)
    {
        using var response = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress"}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).Id();
    }
}
