using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Runtype.Application.Common;
using Runtype.Domain.Common;

namespace Runtype.Api.OpenApi;

/// <summary>
/// The OpenAPI 3.1 document at <c>/openapi/v1.json</c>: bearer security on every call, the free-form objects
/// described as objects, absent-or-null PATCH fields as their value type, and the Location/ETag headers.
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentName = "v1";
    private const string SchemeId = "bearer";

    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer(DescribeDocument);
            options.AddSchemaTransformer(DescribeSchema);
            options.AddOperationTransformer(DescribeHeaders);
            options.AddOperationTransformer(EventStreamOperation.Describe);
        });

    private static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Runtype Sessions — Product Generation API",
            Version = "v1",
            Description = "Generation sessions (intake → planning → generating → assembling → completed) with their PRD, plan, "
                + "product object (hashed by the server, RFC 8785 + SHA-256), assembly state and append-only event log. "
                + "Errors are RFC 9457 problem details.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeId] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key (rt_…) or a Clerk-compatible session token (a JWT, when configured), sent as "
                + "'Authorization: Bearer <token>' (a bare API key is accepted too).",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeId, document)] = [] }];
        return Task.CompletedTask;
    }

    private static Task DescribeSchema(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (context.JsonPropertyInfo?.CustomConverter is RawJsonConverter || type == typeof(JsonElement) || type == typeof(JsonElement?))
        {
            DescribeObject(schema, nullable: context.JsonPropertyInfo?.PropertyType != typeof(string) || context.JsonPropertyInfo.IsGetNullable);
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Optional<>))
        {
            var valueType = type.GetGenericArguments()[0];
            if (valueType == typeof(string))
            {
                schema.Type = JsonSchemaType.String | JsonSchemaType.Null;
            }
            else if (valueType == typeof(bool?))
            {
                schema.Type = JsonSchemaType.Boolean | JsonSchemaType.Null;
            }
            else if (valueType == typeof(IReadOnlyList<string>))
            {
                schema.Type = JsonSchemaType.Array | JsonSchemaType.Null;
                schema.Items = new OpenApiSchema { Type = JsonSchemaType.String };
            }
            else
            {
                DescribeObject(schema, nullable: true);
            }
        }

        return Task.CompletedTask;
    }

    private static void DescribeObject(OpenApiSchema schema, bool nullable)
    {
        schema.Type = nullable ? JsonSchemaType.Object | JsonSchemaType.Null : JsonSchemaType.Object;
        schema.AdditionalPropertiesAllowed = true;
        schema.Description ??= "A free-form JSON object, returned exactly as it was sent.";
    }

    private static Task DescribeHeaders(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.Responses is null)
        {
            return Task.CompletedTask;
        }

        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse concrete)
            {
                continue;
            }

            if (status == "201")
            {
                AddHeader(concrete, "Location", "The address of the created resource.");
            }

            if (status is "200" or "201" or "202" && context.Description.HttpMethod == "POST"
                && context.Description.ParameterDescriptions.Any(p => p.Name == "Idempotency-Key"))
            {
                AddHeader(concrete, "Idempotent-Replayed", "\"true\" when this answer is the stored answer to an earlier request with the same Idempotency-Key.");
            }

            if (status is "429" or "503")
            {
                AddHeader(concrete, "Retry-After", "Seconds to wait before retrying.");
            }

            var isSession = context.Description.RelativePath?.EndsWith("sessions/{id}", StringComparison.Ordinal) == true
                || (status == "201" && context.Description.RelativePath?.EndsWith("sessions", StringComparison.Ordinal) == true);
            if (isSession && status is "200" or "201" or "304")
            {
                AddHeader(concrete, "ETag", "The session's version, for If-Match (PATCH) and If-None-Match (GET).");
            }
        }

        return Task.CompletedTask;
    }

    private static void AddHeader(OpenApiResponse response, string name, string description)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
    }
}
