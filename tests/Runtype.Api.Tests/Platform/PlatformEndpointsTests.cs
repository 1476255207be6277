using System.Net;
using System.Text.Json;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Platform;

/// <summary>Health, OpenAPI, the reference page, and the framework's own errors as problem details.</summary>
public abstract class PlatformEndpointsTests(ApiFixture api)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_without_credentials(string path)
    {
        using var client = api.CreateAnonymousClient();

        using var response = await client.GetAsync(path, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.ReadTextAsync());
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_call_with_bearer_security()
    {
        using var client = api.CreateAnonymousClient();

        using var response = await client.GetAsync("/openapi/v1.json", Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.ReadJsonAsync();
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.GetProperty("paths");
        var expected = new Dictionary<string, Dictionary<string, string[]>>
        {
            ["/v1/products/generation/sessions"] = new()
            {
                ["get"] = ["200", "400", "401", "403"],
                ["post"] = ["201", "400", "401", "403", "413", "415"],
            },
            ["/v1/products/generation/sessions/{id}"] = new()
            {
                ["get"] = ["200", "304", "401", "403", "404"],
                ["patch"] = ["200", "400", "401", "403", "404", "409", "412", "413", "415"],
                ["delete"] = ["204", "401", "403", "404", "412"],
            },
            ["/v1/products/generation/sessions/{id}/events"] = new() { ["post"] = ["201", "400", "401", "403", "404", "409", "413", "415"] },
            ["/v1/products/generation/sessions/{id}/events/{eventId}"] = new() { ["get"] = ["200", "401", "403", "404"] },
        };
        foreach (var (path, operations) in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"Missing path {path}");
            foreach (var (method, codes) in operations)
            {
                var responses = item.GetProperty(method).GetProperty("responses");
                foreach (var code in codes)
                {
                    Assert.True(responses.TryGetProperty(code, out _), $"{method} {path} does not document {code}");
                }
            }
        }

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        foreach (var (path, operations) in expected)
        {
            foreach (var method in operations.Keys)
            {
                var security = paths.GetProperty(path).GetProperty(method).GetProperty("security");
                Assert.True(security.GetArrayLength() == 1 && security[0].TryGetProperty("bearer", out _), $"{method} {path} does not require the bearer scheme");
            }
        }

        var sessionSchema = document.GetProperty("components").GetProperty("schemas").GetProperty("Session").GetProperty("properties");
        foreach (var member in Shapes.Session)
        {
            Assert.True(sessionSchema.TryGetProperty(member, out _), $"Session schema lacks {member}");
        }

        Assert.Contains("object", sessionSchema.GetProperty("prd").GetRawText(), StringComparison.Ordinal);
        var location = paths.GetProperty("/v1/products/generation/sessions").GetProperty("post").GetProperty("responses").GetProperty("201").GetProperty("headers");
        Assert.True(location.TryGetProperty("Location", out _));
        Assert.True(location.TryGetProperty("ETag", out _));
        Assert.True(location.TryGetProperty("Idempotent-Replayed", out _));
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_path_id_as_a_uuid_string_and_If_Match_on_DELETE()
    {
        using var client = api.CreateAnonymousClient();
        using var response = await client.GetAsync("/openapi/v1.json", Token);
        var paths = (await response.ReadJsonAsync()).GetProperty("paths");

        var ids = 0;
        foreach (var path in paths.EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                foreach (var parameter in operation.Value.TryGetProperty("parameters", out var list) ? list.EnumerateArray() : default)
                {
                    if (parameter.GetProperty("in").GetString() == "path")
                    {
                        ids++;
                        var schema = parameter.GetProperty("schema");
                        Assert.True(schema.GetProperty("type").GetString() == "string" && schema.GetProperty("format").GetString() == "uuid", $"{operation.Name} {path.Name}: {schema}");
                    }
                }
            }
        }

        Assert.True(ids >= 8, $"only {ids} path ids");
        var delete = paths.GetProperty("/v1/products/generation/sessions/{id}").GetProperty("delete").GetProperty("parameters");
        Assert.Contains(delete.EnumerateArray(), p => p.GetProperty("name").GetString() == "If-Match" && p.GetProperty("in").GetString() == "header");
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_request_and_response_headers()
    {
        using var client = api.CreateAnonymousClient();
        using var response = await client.GetAsync("/openapi/v1.json", Token);
        var paths = (await response.ReadJsonAsync()).GetProperty("paths");

        static string[] HeaderParameters(JsonElement operation) =>
            [.. operation.GetProperty("parameters").EnumerateArray().Where(p => p.GetProperty("in").GetString() == "header").Select(p => p.GetProperty("name").GetString()!)];

        var sessions = paths.GetProperty("/v1/products/generation/sessions");
        var session = paths.GetProperty("/v1/products/generation/sessions/{id}");
        var events = paths.GetProperty("/v1/products/generation/sessions/{id}/events");
        Assert.Contains("Idempotency-Key", HeaderParameters(sessions.GetProperty("post")));
        Assert.Contains("Idempotency-Key", HeaderParameters(events.GetProperty("post")));
        Assert.Contains("If-Match", HeaderParameters(session.GetProperty("patch")));
        Assert.Contains("If-None-Match", HeaderParameters(session.GetProperty("get")));
        Assert.True(session.GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("headers").TryGetProperty("ETag", out _));
        Assert.True(session.GetProperty("patch").GetProperty("responses").GetProperty("200").GetProperty("headers").TryGetProperty("ETag", out _));
        foreach (var operation in new[] { sessions.GetProperty("get"), sessions.GetProperty("post"), session.GetProperty("patch"), events.GetProperty("post") })
        {
            var responses = operation.GetProperty("responses");
            Assert.True(responses.GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _));
            Assert.True(responses.TryGetProperty("503", out _));
        }

        Assert.True(sessions.GetProperty("post").GetProperty("responses").TryGetProperty("422", out _));
        Assert.True(events.GetProperty("post").GetProperty("responses").TryGetProperty("422", out _));
    }

    [Fact]
    public async Task The_reference_page_is_served_without_credentials()
    {
        using var client = api.CreateAnonymousClient();
        using var page = api.CreateAnonymousClient(uncheckedBecause: "the page's own address, /docs/, is where /docs redirects to");

        using var redirect = await client.GetAsync("/docs", Token);
        using var response = await page.GetAsync(redirect.Headers.Location, Token);

        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", await response.ReadTextAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/nothing-here")]
    [InlineData("/v1/products/generation")]
    [InlineData("/v1/products/generation/sessions/0195f3c4-1111-7aaa-8bbb-000000000000/unknown")]
    public async Task Unknown_routes_are_404_problem_details(string path)
    {
        using var client = api.CreateAnonymousClient();

        using var response = await client.GetAsync(path, Token);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_method_the_route_does_not_take_is_405_problem_details()
    {
        var user = await api.CreateUserAsync();

        using var put = await user.Client.SendJsonAsync(HttpMethod.Put, $"{Wire.Sessions}/{Guid.CreateVersion7()}", "{}");
        using var deleteAll = await user.Client.DeleteAsync(Wire.Sessions, Token);

        await put.AssertProblemAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        await deleteAll.AssertProblemAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task A_body_that_is_not_JSON_is_the_frameworks_415_with_a_code(string? mediaType)
    {
        var user = await api.CreateUserAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, Wire.Sessions) { Content = new ByteArrayContent("{}"u8.ToArray()) };
        if (mediaType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", mediaType);
        }

        using var response = await user.Client.SendAsync(request, Token);

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task Responses_carry_nosniff_and_no_Server_header()
    {
        using var client = api.CreateAnonymousClient();

        using var response = await client.GetAsync("/health/live", Token);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.False(response.Headers.Contains("Server"));
    }
}
