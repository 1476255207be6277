using System.Net;
using System.Text.Json.Nodes;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Domain.Sessions;

namespace Runtype.Api.Tests.Contract;

/// <summary>
/// The OpenAPI document (contract §8): committed as docs/openapi.json and the same as the one served, and shaped so that
/// generated clients work without edits. <c>RUNTYPE_UPDATE_OPENAPI=1</c> rewrites the committed file from the served one.
/// </summary>
public sealed class OpenApiDocumentTests(SqliteApiFixture api) : IClassFixture<SqliteApiFixture>
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static string CommittedPath => Path.Combine(RepositoryRoot(), "docs", "openapi.json");

    [Fact]
    public async Task The_committed_document_is_the_served_one()
    {
        var served = await ServedTextAsync();
        if (Environment.GetEnvironmentVariable("RUNTYPE_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(CommittedPath, served, Token);
        }

        Assert.True(File.Exists(CommittedPath), $"{CommittedPath} is missing: run the tests with RUNTYPE_UPDATE_OPENAPI=1 to write it.");
        var committed = await File.ReadAllTextAsync(CommittedPath, Token);
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(committed), JsonNode.Parse(served)),
            $"docs/openapi.json differs from the served document (first difference at {FirstDifference(JsonNode.Parse(committed), JsonNode.Parse(served), "$")}). "
            + "If the API change is intended, run: RUNTYPE_UPDATE_OPENAPI=1 dotnet test tests/Runtype.Api.Tests --filter FullyQualifiedName~OpenApiDocumentTests");
    }

    [Fact]
    public async Task Every_operation_has_a_stable_camelCase_operationId_a_summary_and_a_description()
    {
        var operations = Operations(await ServedAsync()).ToArray();

        Assert.NotEmpty(operations);
        var ids = operations.Select(o => o.Operation["operationId"]?.GetValue<string>()).ToArray();
        Assert.All(operations, o => Assert.Matches("^[a-z][A-Za-z]+$", o.Operation["operationId"]?.GetValue<string>() ?? $"(none on {o.Method} {o.Path})"));
        Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(operations, o => Assert.False(string.IsNullOrWhiteSpace(o.Operation["summary"]?.GetValue<string>()), $"{o.Method} {o.Path} has no summary"));
        Assert.All(operations, o => Assert.False(string.IsNullOrWhiteSpace(o.Operation["description"]?.GetValue<string>()), $"{o.Method} {o.Path} has no description"));
        Assert.Contains("listSessions", ids);
        Assert.Contains("streamSessionEvents", ids);
        Assert.Contains("getReadiness", ids);
    }

    [Fact]
    public async Task API_calls_need_the_bearer_scheme_and_the_platform_calls_need_nothing()
    {
        var document = await ServedAsync();

        foreach (var (path, method, operation) in Operations(document))
        {
            var security = (JsonArray)operation["security"]!;
            var responses = (JsonObject)operation["responses"]!;
            if (path.StartsWith("/v1/", StringComparison.Ordinal))
            {
                Assert.True(security.Count == 1 && security[0]!["bearer"] is JsonArray, $"{method} {path}: {security.ToJsonString()}");
                Assert.Matches("`(sessions|webhooks):(read|write)`", operation["description"]!.GetValue<string>());
                Assert.True(responses["401"]?["headers"]?["WWW-Authenticate"]?["required"]?.GetValue<bool>() == true, $"{method} {path}: 401 without WWW-Authenticate");
                Assert.NotNull(responses["403"]);
                Assert.True(responses["429"]?["headers"]?["Retry-After"]?["required"]?.GetValue<bool>() == true, $"{method} {path}: 429 without Retry-After");
                Assert.NotNull(responses["503"]?["headers"]?["Retry-After"]);
            }
            else
            {
                Assert.True(security.Count == 0, $"{method} {path} asks for a credential: {security.ToJsonString()}");
            }
        }

        Assert.Null(document["security"]);
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>());
    }

    [Fact]
    public async Task Errors_are_problem_json_only_and_204_and_304_have_no_body()
    {
        foreach (var (path, method, operation) in Operations(await ServedAsync()))
        {
            foreach (var (status, response) in (JsonObject)operation["responses"]!)
            {
                var content = response!["content"] as JsonObject;
                if (status is "204" or "304" or "302" or "4XX")
                {
                    Assert.True(content is null, $"{method} {path} {status} has a body");
                }
                else if (status[0] is '4' or '5' && path.StartsWith("/v1/", StringComparison.Ordinal))
                {
                    Assert.Equal(["application/problem+json"], content!.Select(m => m.Key));
                    var schema = content!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>();
                    Assert.Equal(status == "400" ? "#/components/schemas/ValidationProblem" : "#/components/schemas/Problem", schema);
                }
                else
                {
                    Assert.True(content is { Count: 1 }, $"{method} {path} {status} offers {content?.Count ?? 0} media types");
                }
            }
        }
    }

    [Fact]
    public async Task Schemas_have_resource_names_and_no_dotnet_internals()
    {
        var document = await ServedAsync();
        var schemas = (JsonObject)document["components"]!["schemas"]!;
        var text = document.ToJsonString();

        foreach (var name in new[] { "Session", "SessionDetails", "SessionEvent", "SessionPage", "SessionEventPage", "Pagination", "EventPagination", "SessionStatus", "Problem", "ValidationProblem" })
        {
            Assert.True(schemas.ContainsKey(name), $"No schema {name}: {string.Join(", ", schemas.Select(s => s.Key))}");
        }

        Assert.All(schemas.Select(s => s.Key), name => Assert.DoesNotMatch("Dto$|Optional|JsonElement|ProblemDetails|Of[A-Z]", name));
        foreach (var leak in new[] { "enumerable once", "Optional<", "Optional&lt;", "JsonElement", "HasValue", "SessionDto", "contract §" })
        {
            Assert.DoesNotContain(leak, text, StringComparison.Ordinal);
        }

        Assert.Equal(SessionLifecycle.AllWireNames, schemas["SessionStatus"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("#/components/schemas/SessionStatus", schemas["Session"]!["properties"]!["status"]!["$ref"]!.GetValue<string>());
    }

    [Fact]
    public async Task Answer_schemas_require_every_member_with_exact_nullability_free_form_objects_and_timestamps()
    {
        var schemas = (JsonObject)(await ServedAsync())["components"]!["schemas"]!;

        foreach (var (name, members) in new[] { ("Session", Shapes.Session), ("SessionDetails", Shapes.SessionDetails), ("SessionEvent", Shapes.Event) })
        {
            var schema = schemas[name]!;
            Assert.Equal(members.Order(StringComparer.Ordinal), schema["required"]!.AsArray().Select(v => v!.GetValue<string>()).Order(StringComparer.Ordinal));
            Assert.Equal(members.Order(StringComparer.Ordinal), ((JsonObject)schema["properties"]!).Select(p => p.Key).Order(StringComparer.Ordinal));
            Assert.False(schema["additionalProperties"]!.GetValue<bool>());
        }

        var session = schemas["Session"]!["properties"]!;
        foreach (var freeForm in new[] { "prd", "plan", "productObject", "assemblyState" })
        {
            Assert.Equal(["null", "object"], Types(session[freeForm]!));
            Assert.True(session[freeForm]!["additionalProperties"]!.GetValue<bool>(), $"{freeForm} is not an object with any members");
        }

        Assert.Equal(["object"], Types(schemas["SessionEvent"]!["properties"]!["payload"]!));
        Assert.True(schemas["SessionEvent"]!["properties"]!["payload"]!["additionalProperties"]!.GetValue<bool>());
        foreach (var timestamp in new[] { "createdAt", "updatedAt", "expiresAt" })
        {
            Assert.Equal(["string"], Types(session[timestamp]!));
            Assert.Equal("date-time", session[timestamp]!["format"]!.GetValue<string>());
        }

        Assert.Equal(["string"], Types(session["id"]!));
        Assert.Equal("uuid", session["id"]!["format"]!.GetValue<string>());
        Assert.Equal(["null", "string"], Types(session["organizationId"]!));
        Assert.Equal(["string"], Types(session["userId"]!));
        Assert.Equal(["null", "string"], Types(schemas["EventPagination"]!["properties"]!["next"]!));
    }

    [Fact]
    public async Task Request_bodies_say_what_is_required_limited_and_clearable()
    {
        var document = await ServedAsync();
        var schemas = (JsonObject)document["components"]!["schemas"]!;

        var append = schemas["AppendEventRequest"]!;
        Assert.Equal(["type"], append["required"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["string"], Types(append["properties"]!["type"]!));
        Assert.Equal(1, append["properties"]!["type"]!["minLength"]!.GetValue<int>());
        Assert.Equal(SessionLimits.EventTypeLength, append["properties"]!["type"]!["maxLength"]!.GetValue<int>());
        Assert.Equal(SessionLimits.EventMessageLength, append["properties"]!["message"]!["maxLength"]!.GetValue<int>());
        Assert.Equal(SessionLimits.VersionLength, schemas["CreateSessionRequest"]!["properties"]!["catalogVersion"]!["maxLength"]!.GetValue<int>());

        var update = schemas["UpdateSessionRequest"]!;
        Assert.Null(update["required"]);
        Assert.Equal(1, update["minProperties"]!.GetValue<int>());
        Assert.Equal(["null", "object"], Types(update["properties"]!["plan"]!));
        Assert.Contains("null", update["properties"]!["status"]!["anyOf"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("#/components/schemas/SessionStatus", update["properties"]!["status"]!["anyOf"]!.ToJsonString(), StringComparison.Ordinal);

        var create = document["paths"]!["/v1/products/generation/sessions"]!["post"]!["requestBody"]!["content"]!.AsObject();
        Assert.Equal(["application/json"], create.Select(m => m.Key));
    }

    [Fact]
    public async Task Paging_parameters_have_their_bounds_and_defaults()
    {
        var paths = (await ServedAsync())["paths"]!;

        var list = Parameters(paths["/v1/products/generation/sessions"]!["get"]!);
        Assert.Equal(1, list["limit"]["schema"]!["minimum"]!.GetValue<int>());
        Assert.Equal(100, list["limit"]["schema"]!["maximum"]!.GetValue<int>());
        Assert.Equal(20, list["limit"]["schema"]!["default"]!.GetValue<int>());
        Assert.Equal(0, list["offset"]["schema"]!["minimum"]!.GetValue<int>());
        Assert.Equal("#/components/schemas/SessionStatus", list["status"]["schema"]!["$ref"]!.GetValue<string>());

        var events = Parameters(paths["/v1/products/generation/sessions/{id}/events"]!["get"]!);
        Assert.Equal(500, events["limit"]["schema"]!["maximum"]!.GetValue<int>());
        Assert.NotNull(events["after"]["schema"]!["pattern"]);
    }

    [Fact]
    public async Task Headers_read_and_written_are_described()
    {
        var paths = (await ServedAsync())["paths"]!;
        var session = paths["/v1/products/generation/sessions/{id}"]!;

        Assert.Contains("If-None-Match", Parameters(session["get"]!).Keys);
        Assert.Contains("If-Match", Parameters(session["patch"]!).Keys);
        Assert.Contains("Idempotency-Key", Parameters(paths["/v1/products/generation/sessions"]!["post"]!).Keys);
        Assert.Contains("Idempotency-Key", Parameters(paths["/v1/products/generation/sessions/{id}/events"]!["post"]!).Keys);
        Assert.Contains("Last-Event-ID", Parameters(paths["/v1/products/generation/sessions/{id}/events/stream"]!["get"]!).Keys);
        foreach (var (operation, status) in new[] { (session["get"]!, "200"), (session["get"]!, "304"), (session["patch"]!, "200"), (paths["/v1/products/generation/sessions"]!["post"]!, "201") })
        {
            Assert.True(operation["responses"]![status]!["headers"]!["ETag"]!["required"]!.GetValue<bool>());
        }

        var created = paths["/v1/products/generation/sessions/{id}/events"]!["post"]!["responses"]!["201"]!["headers"]!;
        Assert.True(created["Location"]!["required"]!.GetValue<bool>());
        Assert.NotNull(created["Idempotent-Replayed"]);
        Assert.NotNull(session["patch"]!["responses"]!["412"]);
    }

    [Fact]
    public async Task The_server_has_no_trailing_slash_and_names_the_configured_address()
    {
        var server = (await ServedAsync())["servers"]![0]!;

        Assert.False(server["url"]!.GetValue<string>().EndsWith('/'));
        Assert.Equal("http://{host}", server["url"]!.GetValue<string>());
        Assert.Equal("localhost:5080", server["variables"]!["host"]!["default"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_problem_schema_lists_every_extension_member_the_API_writes()
    {
        var problem = (await ServedAsync())["components"]!["schemas"]!["Problem"]!;
        var members = ((JsonObject)problem["properties"]!).Select(p => p.Key).ToArray();

        foreach (var member in new[] { "type", "title", "status", "detail", "instance", "traceId", "code", "currentStatus", "requestedStatus", "allowedStatuses", "currentETag", "productObjectHash", "expiresAt", "limit" })
        {
            Assert.Contains(member, members);
        }

        Assert.Null(problem["additionalProperties"]); // open to clients (RFC 9457), closed in ApiContract's check
        Assert.Equal(["type", "title", "status", "detail", "instance", "traceId", "code"], problem["required"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    private async Task<string> ServedTextAsync()
    {
        using var client = api.CreateAnonymousClient();
        using var response = await client.GetAsync("/openapi/v1.json", Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Token);
    }

    private async Task<JsonObject> ServedAsync() => (JsonObject)JsonNode.Parse(await ServedTextAsync())!;

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonObject document) =>
        from path in (JsonObject)document["paths"]!
        from method in Methods
        where path.Value![method] is JsonObject
        select (path.Key, method, (JsonObject)path.Value![method]!);

    private static Dictionary<string, JsonNode> Parameters(JsonNode operation) =>
        operation["parameters"]!.AsArray().ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!, StringComparer.Ordinal);

    private static string[] Types(JsonNode schema) => schema["type"] switch
    {
        JsonArray array => [.. array.Select(t => t!.GetValue<string>()).Order(StringComparer.Ordinal)],
        JsonValue value => [value.GetValue<string>()],
        _ => [],
    };

    private static string FirstDifference(JsonNode? a, JsonNode? b, string path)
    {
        if (a is JsonObject x && b is JsonObject y)
        {
            foreach (var key in x.Select(p => p.Key).Union(y.Select(p => p.Key)))
            {
                if (!JsonNode.DeepEquals(x[key], y[key]))
                {
                    return FirstDifference(x[key], y[key], $"{path}.{key}");
                }
            }
        }

        if (a is JsonArray l && b is JsonArray r && l.Count == r.Count)
        {
            for (var i = 0; i < l.Count; i++)
            {
                if (!JsonNode.DeepEquals(l[i], r[i]))
                {
                    return FirstDifference(l[i], r[i], $"{path}[{i}]");
                }
            }
        }

        return $"{path}: {a?.ToJsonString() ?? "(absent)"} vs {b?.ToJsonString() ?? "(absent)"}";
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Runtype.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Runtype.sln above {AppContext.BaseDirectory}.");
    }
}
