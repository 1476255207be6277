using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Runtype.Api.OpenApi;

/// <summary>
/// The problem details (RFC 9457) as the API writes them (<see cref="Errors.ApiProblems"/>,
/// <see cref="Errors.ExceptionProblems"/>): the standard members, always present, plus the extension members. A
/// member the API starts to send must be added here: the test suite treats an undocumented member as a failure,
/// while clients are told the object may carry more (RFC 9457 §3.2), since <c>additionalProperties</c> is not closed.
/// </summary>
internal static class ProblemSchemas
{
    public const string Problem = "Problem";
    public const string ValidationProblem = "ValidationProblem";
    public const string SessionStatus = nameof(Domain.Sessions.SessionStatus);

    public static Task Describe(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        var schemas = document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        var json = context.ApplicationServices.GetRequiredService<IOptions<JsonOptions>>().Value.JsonSerializerOptions;
        schemas.TryAdd(SessionStatus, SchemaConventions.EnumSchema(typeof(Domain.Sessions.SessionStatus), json));
        schemas[Problem] = Schema(document, withErrors: false);
        schemas[ValidationProblem] = Schema(document, withErrors: true);
        return Task.CompletedTask;
    }

    private static OpenApiSchema Schema(OpenApiDocument document, bool withErrors)
    {
        var status = new OpenApiSchemaReference(SessionStatus, document);
        var properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["type"] = Text("A URI reference that identifies the problem type.", format: "uri-reference"),
            ["title"] = Text("A short, human-readable summary of the problem type."),
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "400", Maximum = "599", Description = "The HTTP status code." },
            ["detail"] = Text("What went wrong, for a human."),
            ["instance"] = Text("The path of the request."),
            ["traceId"] = Text("The trace id of the request: quote it when you report a problem."),
            ["code"] = Text(
                "A stable machine-readable name of the problem: validation_failed, unauthorized, insufficient_scope, not_found, "
                + "invalid_status_transition, session_read_only, session_expired, "
                + "product_object_hash_mismatch, concurrent_update, conflict, precondition_failed, body_too_large, "
                + "idempotency_key_reused, rate_limited, too_many_streams, database_unavailable, bad_request, internal_error."),
            ["currentStatus"] = Described(status, "invalid_status_transition, session_read_only, session_expired: the session's status."),
            ["requestedStatus"] = Described(status, "invalid_status_transition: the status the request asked for."),
            ["allowedStatuses"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = status,
                Description = "invalid_status_transition: the statuses the session may move to from its current one.",
            },
            ["expiresAt"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", Description = "session_expired: when the session expired." },
            ["productObjectHash"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Null,
                Pattern = "^[0-9a-f]{64}$",
                Description = "product_object_hash_mismatch: the server's hash of the productObject (null: the session has none).",
            },
            ["currentETag"] = Text("precondition_failed: the session's current ETag."),
            ["limit"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "too_many_streams: how many streams a user may hold open at once." },
        };
        var required = new HashSet<string>(["type", "title", "status", "detail", "instance", "traceId", "code"], StringComparer.Ordinal);
        if (withErrors)
        {
            properties["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                Description = "The fields that are not valid (camelCase names; \"body\" for the body as a whole), each with what is wrong.",
            };
            required.Add("errors");
        }

        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = withErrors
                ? "Problem details of a request that is not valid (400): `errors` names each field and what is wrong with it."
                : "Problem details (RFC 9457). The members after `traceId` are present where the `code` names them.",
            Properties = properties,
            Required = required,
        };
    }

    private static OpenApiSchema Text(string description, string? format = null) =>
        new() { Type = JsonSchemaType.String, Format = format, Description = description };

    private static IOpenApiSchema Described(OpenApiSchemaReference reference, string description) =>
        new OpenApiSchemaReference(reference.Reference.Id!, reference.Reference.HostDocument) { Description = description };
}
