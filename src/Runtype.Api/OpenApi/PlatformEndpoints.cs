using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Runtype.Api.OpenApi;

/// <summary>
/// Health, this document and the reference page are calls too (contract §4). They are mapped outside MVC (health
/// checks, the OpenAPI and Scalar endpoints), where the API explorer does not see them, so they are described here,
/// with no security requirement: none needs a credential.
/// </summary>
internal static class PlatformEndpoints
{
    public const string Tag = "Platform";

    public static Task Describe(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Paths ??= new OpenApiPaths();
        document.Paths["/health/live"] = Get(
            "getLiveness",
            "Liveness: the process serves requests.",
            "Answers `Healthy`; nothing is checked.",
            (200, "The process is up.", "text/plain", Text("Healthy")));
        document.Paths["/health/ready"] = Get(
            "getReadiness",
            "Readiness: the database is reachable and its schema current.",
            "Answers `Healthy`, or 503 `Unhealthy` when the database does not answer within 5 s or a migration is missing.",
            (200, "Ready to serve.", "text/plain", Text("Healthy", "Degraded")),
            (503, "Not ready: the database is unreachable or not migrated.", "text/plain", Text("Unhealthy")));
        document.Paths[OpenApiSetup.DocumentPath] = Get(
            "getOpenApiDocument",
            "This OpenAPI 3.1 document.",
            "The description of every call, as JSON (committed in the repository as docs/openapi.json).",
            (200, "The document.", "application/json", AnyObject()));
        document.Paths[OpenApiSetup.ReferencePagePath] = Get(
            "getReferencePage",
            "The interactive API reference.",
            $"An HTML page (Scalar) over this document. `{OpenApiSetup.ReferencePagePath}` redirects (302) to "
                + $"`{OpenApiSetup.ReferencePagePath}/`, where the page is served (200), as it is at `{OpenApiSetup.ReferencePagePath}/{OpenApiSetup.DocumentName}`.",
            (200, "The page.", "text/html", new OpenApiSchema { Type = JsonSchemaType.String }),
            (302, "Where the page is (Location); clients that follow redirects get the page.", null, null));
        ((OpenApiResponse)document.Paths[OpenApiSetup.ReferencePagePath].Operations![HttpMethod.Get].Responses!["302"]).Headers =
            new Dictionary<string, IOpenApiHeader> { ["Location"] = new OpenApiHeader { Required = true, Description = "The page.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } } };
        document.Tags ??= new HashSet<OpenApiTag>();
        document.Tags.Add(new OpenApiTag { Name = Tag, Description = "Health, this document and the reference page; no credential needed." });
        return Task.CompletedTask;
    }

    private static OpenApiSchema Text(params string[] values) =>
        new() { Type = JsonSchemaType.String, Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v)!)] };

    private static OpenApiSchema AnyObject()
    {
        var schema = new OpenApiSchema { Type = JsonSchemaType.Object };
        SchemaConventions.AnyMembers(schema);
        return schema;
    }

    private static OpenApiPathItem Get(string operationId, string summary, string description, params (int Status, string Description, string? MediaType, OpenApiSchema? Schema)[] answers)
    {
        var responses = new OpenApiResponses
        {
            // Any call can meet these; for these calls they are the only 4xx there is.
            ["4XX"] = new OpenApiResponse { Description = "A request the server refused before the call (e.g. 414 URI too long, 431 headers too large): no body." },
        };
        foreach (var (status, text, mediaType, schema) in answers)
        {
            responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = text,
                Content = mediaType is null ? null : new Dictionary<string, OpenApiMediaType> { [mediaType] = new() { Schema = schema } },
            };
        }

        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = operationId,
                    Summary = summary,
                    Description = description,
                    Tags = new HashSet<OpenApiTagReference> { new(Tag) },
                    Security = [],
                    Responses = responses,
                },
            },
        };
    }
}
