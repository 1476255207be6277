using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Runtype.Api.Tests.Infrastructure;

/// <summary>
/// The OpenAPI document as a check of answers: the status, the media type, the declared headers and the body of an
/// answer must be what the document says the call answers (docs/openapi.md, "Answers match the document").
/// Stricter than a client needs in one way: an object member the document does not list fails, also in the problem
/// details (whose schema leaves members open to clients, RFC 9457), so every member the API sends is documented.
/// </summary>
public sealed partial class ApiContract
{
    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
    private static readonly BuildOptions Build = new() { SchemaRegistry = new SchemaRegistry() };
    private static int _documents;

    private readonly JsonObject _document;
    private readonly JsonObject _definitions;
    private readonly List<(Regex Pattern, int Literals, string Template, JsonObject Item)> _paths = [];
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);

    private ApiContract(JsonObject document)
    {
        _document = document;
        _definitions = (JsonObject)(document["components"]?["schemas"]?.DeepClone() ?? new JsonObject());
        Rewrite(_definitions);
        foreach (var (template, item) in (JsonObject)document["paths"]!)
        {
            var segments = template.Split('/');
            var pattern = string.Join('/', segments.Select(s => s.StartsWith('{') ? "[^/]+" : Regex.Escape(s)));
            _paths.Add((new Regex($"^{pattern}$", RegexOptions.CultureInvariant), segments.Count(s => !s.StartsWith('{')), template, (JsonObject)item!));
        }

        // Literal segments win over templated ones (/events/stream before /events/{eventId}).
        _paths.Sort((a, b) => b.Literals.CompareTo(a.Literals));
    }

    public static ApiContract Parse(string json) => new((JsonObject)JsonNode.Parse(json)!);

    /// <summary>Throws <see cref="ContractViolationException"/> when the answer is not one the document describes.</summary>
    public async Task CheckAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var method = request.Method.Method.ToLowerInvariant();
        // Routing ignores one trailing slash (/sessions/ is /sessions); the document's paths have none.
        var path = request.RequestUri!.AbsolutePath is { Length: > 1 } raw && raw.EndsWith('/') ? raw[..^1] : request.RequestUri.AbsolutePath;
        var status = (int)response.StatusCode;
        var call = $"{request.Method} {request.RequestUri.PathAndQuery} answered {status}";
        if (method == "options" && request.Headers.Contains("Access-Control-Request-Method"))
        {
            return; // a CORS preflight: answered by the CORS middleware (Fetch standard), not a call of the API
        }

        var match = _paths.FirstOrDefault(p => p.Pattern.IsMatch(path));
        var operation = match.Item?[method] as JsonObject;
        if (operation is null)
        {
            // No such call: the only answers are "nothing here" and "not with this method", as problem details.
            if (status is not (404 or 405))
            {
                throw new ContractViolationException($"{call}, but the document describes no {method.ToUpperInvariant()} {path}.");
            }

            await CheckBodyAsync(call, response, new JsonObject { ["application/problem+json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/Problem" } } }, cancellationToken);
            return;
        }

        var responses = (JsonObject)operation["responses"]!;
        var described = responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)]
            ?? responses[$"{status / 100}XX"]
            ?? responses["default"]
            ?? throw new ContractViolationException($"{call}, a status {operation["operationId"]} ({match.Template}) does not document: {await BodyOfAsync(response, cancellationToken)}");
        CheckHeaders(call, response, described["headers"] as JsonObject);
        await CheckBodyAsync(call, response, described["content"] as JsonObject, cancellationToken);
    }

    private void CheckHeaders(string call, HttpResponseMessage response, JsonObject? headers)
    {
        foreach (var (name, header) in headers ?? [])
        {
            var values = response.Headers.TryGetValues(name, out var found) ? found
                : response.Content.Headers.TryGetValues(name, out var content) ? content
                : null;
            if (values is null)
            {
                if (header!["required"]?.GetValue<bool>() == true)
                {
                    throw new ContractViolationException($"{call} without the header {name} the document says it carries.");
                }

                continue;
            }

            var value = string.Join(", ", values);
            if (header!["schema"]?["pattern"]?.GetValue<string>() is { } pattern && !Regex.IsMatch(value, pattern, RegexOptions.CultureInvariant))
            {
                throw new ContractViolationException($"{call} with {name}: {value}, which does not match {pattern}.");
            }
        }
    }

    private async Task CheckBodyAsync(string call, HttpResponseMessage response, JsonObject? content, CancellationToken cancellationToken)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (content is null || content.Count == 0)
        {
            var body = await BodyOfAsync(response, cancellationToken);
            if (body.Length > 0 || mediaType is not null)
            {
                throw new ContractViolationException($"{call} with a body ({mediaType}) where the document describes none: {body}");
            }

            return;
        }

        var described = content.FirstOrDefault(m => string.Equals(m.Key, mediaType, StringComparison.OrdinalIgnoreCase)).Value;
        if (described is null)
        {
            throw new ContractViolationException($"{call} as {mediaType ?? "(no content type)"}; the document says {string.Join(" or ", content.Select(m => m.Key))}: {await BodyOfAsync(response, cancellationToken)}");
        }

        if (mediaType == "text/event-stream" || described["schema"] is not JsonObject schema)
        {
            return; // a stream is read by the test as it comes; its events are the SessionEvent resource (EventStreamTests)
        }

        var text = await BodyOfAsync(response, cancellationToken);
        JsonElement instance;
        try
        {
            instance = mediaType!.EndsWith("json", StringComparison.OrdinalIgnoreCase)
                ? JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 256 }).RootElement.Clone()
                : JsonSerializer.SerializeToElement(text);
        }
        catch (JsonException e)
        {
            throw new ContractViolationException($"{call} with a body that is not JSON ({e.Message}): {text}");
        }

        var results = SchemaFor(schema).Evaluate(instance, Evaluation);
        if (!results.IsValid)
        {
            var errors = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value} ({d.EvaluationPath})"));
            throw new ContractViolationException($"{call} with a body that does not match the document:\n  {string.Join("\n  ", errors.Take(10))}\nbody: {Shorten(text)}");
        }
    }

    private JsonSchema SchemaFor(JsonObject schema) => _schemas.GetOrAdd(schema.ToJsonString(), key =>
    {
        var root = (JsonObject)JsonNode.Parse(key)!;
        Rewrite(root);
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        root["$defs"] = _definitions.DeepClone();
        var id = new Uri($"https://runtype.test/openapi/{Interlocked.Increment(ref _documents)}");
        return JsonSchema.FromText(root.ToJsonString(), Build, id);
    });

    /// <summary>OpenAPI's component references become <c>$defs</c> references; objects without <c>additionalProperties</c> are closed.</summary>
    private static void Rewrite(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["$ref"] is JsonValue reference && reference.GetValue<string>().StartsWith("#/components/schemas/", StringComparison.Ordinal))
                {
                    obj["$ref"] = "#/$defs/" + reference.GetValue<string>()["#/components/schemas/".Length..];
                }

                if (obj["properties"] is JsonObject && !obj.ContainsKey("additionalProperties"))
                {
                    obj["additionalProperties"] = false;
                }

                foreach (var (_, child) in obj.ToArray())
                {
                    Rewrite(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Rewrite(child);
                }

                break;
        }
    }

    private static async Task<string> BodyOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            return "(an event stream)";
        }

        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var encoding = response.Content.Headers.ContentEncoding.LastOrDefault();
        if (encoding is null)
        {
            return await response.Content.ReadAsStringAsync(cancellationToken);
        }

        // A compressed answer (the client asked for it) is checked as the representation it encodes.
        await using var compressed = new MemoryStream(await response.Content.ReadAsByteArrayAsync(cancellationToken));
        await using Stream decoded = encoding switch
        {
            "gzip" => new GZipStream(compressed, CompressionMode.Decompress),
            "br" => new BrotliStream(compressed, CompressionMode.Decompress),
            _ => throw new ContractViolationException($"an answer in a content coding the service does not use: {encoding}"),
        };
        using var reader = new StreamReader(decoded, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private static string Shorten(string text) => text.Length > 2000 ? text[..2000] + "…" : text;
}

/// <summary>An answer the OpenAPI document does not describe.</summary>
public sealed class ContractViolationException(string message) : Exception(message);

/// <summary>
/// Checks every answer against the OpenAPI document the server itself serves (fetched once per server). A test that
/// deliberately sends what no client should (raw sockets aside) marks the request with <see cref="Skip"/> and says why.
/// </summary>
public sealed class ContractCheckingHandler(Func<CancellationToken, Task<ApiContract>> contract) : DelegatingHandler
{
    /// <summary>Set on a request whose answer is not to be checked (e.g. the dashboard's static files).</summary>
    public static readonly HttpRequestOptionsKey<string> Skip = new("runtype.contract.skip");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.Options.TryGetValue(Skip, out _))
        {
            return response;
        }

        try
        {
            await (await contract(cancellationToken)).CheckAsync(request, response, cancellationToken);
        }
        catch
        {
            response.Dispose();
            throw;
        }

        return response;
    }

    /// <summary>Loads the document from <paramref name="client"/> (unchecked), once.</summary>
    public static Func<CancellationToken, Task<ApiContract>> FromServer(Func<HttpClient> client)
    {
        var loaded = new Lazy<Task<ApiContract>>(async () =>
        {
            using var http = client();
            return ApiContract.Parse(await http.GetStringAsync("/openapi/v1.json"));
        });
        return _ => loaded.Value;
    }
}

/// <summary>Marks a request whose answer the contract check skips, with the reason.</summary>
public static class ContractCheck
{
    public static HttpRequestMessage Unchecked(this HttpRequestMessage request, string reason)
    {
        request.Options.Set(ContractCheckingHandler.Skip, reason);
        return request;
    }
}
