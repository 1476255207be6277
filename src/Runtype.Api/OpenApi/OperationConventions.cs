using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;
using Runtype.Api.Http;

namespace Runtype.Api.OpenApi;

/// <summary>
/// What every call of a kind has, described once for all of them from the endpoint's own metadata:
/// <list type="bullet">
/// <item><c>[Authorize(Policy = scope)]</c>: the bearer requirement with its scopes, 401 and 403 (with
/// <c>WWW-Authenticate</c>), 429 (rate limit) and 503 (database unavailable), both with <c>Retry-After</c>;
/// an endpoint without it has an explicitly empty security requirement;</item>
/// <item>a path parameter: 404; a query parameter: 400; a body: 400, 413 and 415; <c>Idempotency-Key</c>: 400, 422
/// and <c>Idempotent-Replayed</c> on the 201; <c>If-Match</c>: 412; every call: 500;</item>
/// <item>201 carries <c>Location</c>; <see cref="ResponseHeaderAttribute"/> adds the others;</item>
/// <item>errors are <c>application/problem+json</c> only (400 with <c>ValidationProblem</c>, the rest
/// <c>Problem</c>); 204 and 304 have no body; a request body is only the media types <c>[Consumes]</c> names.</item>
/// </list>
/// An endpoint must name its operation (<c>[EndpointName]</c>, camelCase): the name is the operationId, stable across
/// releases, and what generated clients call the method.
/// </summary>
internal static class OperationConventions
{
    public const string SecuritySchemeId = "bearer";
    public const string ProblemMediaType = "application/problem+json";

    private static readonly Dictionary<int, string> ErrorDescriptions = new()
    {
        [400] = "The request is not valid: `errors` names each field.",
        [401] = "No credential, or one that is malformed, unknown, revoked or expired.",
        [403] = "The credential lacks the scope this call needs.",
        [404] = "Nothing here: no such session (or one of another user), or an id that is not a UUID.",
        [409] = "The request conflicts with the session's state (see `code`).",
        [412] = "If-Match names no current version of the session: `currentETag` is the current one.",
        [413] = "The request body is larger than 1 MiB.",
        [415] = "The request body must be JSON (Content-Type: application/json).",
        [422] = "The Idempotency-Key was used before with another request.",
        [429] = "Too many requests: retry after the seconds in Retry-After.",
        [500] = "An unexpected error: quote the traceId when you report it.",
        [503] = "The database is temporarily unavailable; nothing was changed. Retry after the seconds in Retry-After.",
    };

    public static Task Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var document = context.Document ?? throw new InvalidOperationException("The operation has no document.");
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var responses = operation.Responses ??= new OpenApiResponses();
        var parameters = description.ParameterDescriptions;

        var scopes = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var secured = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
        // The scopes are said in words: OpenAPI lists scopes in a requirement only for OAuth 2 and OpenID schemes.
        operation.Security = secured ? [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeId, document)] = [] }] : [];
        var needs = secured
            ? scopes.Count == 0 ? "Needs a credential." : $"Needs a credential with the scope {string.Join(" and ", scopes.Select(s => $"`{s}`"))}."
            : "Needs no credential.";
        operation.Description = string.IsNullOrWhiteSpace(operation.Description) ? needs : $"{operation.Description.TrimEnd()}\n\n{needs}";

        if (secured)
        {
            Error(responses, 401).Header("WWW-Authenticate", "Bearer realm=\"runtype\", with error=\"invalid_token\" when a credential was refused.", required: true);
            Error(responses, 403).Header("WWW-Authenticate", "Bearer realm=\"runtype\", error=\"insufficient_scope\" and the scope the call needs.", required: true);
            Error(responses, 429).Header("Retry-After", "Seconds to wait before retrying.", required: true, pattern: "^[0-9]+$");
            Error(responses, 503).Header("Retry-After", "Seconds to wait before retrying.", required: true, pattern: "^[0-9]+$");
        }

        if (parameters.Any(p => p.Source == BindingSource.Path))
        {
            Error(responses, 404);
        }

        if (parameters.Any(p => p.Source == BindingSource.Query || p.Source == BindingSource.Header || p.Source == BindingSource.Body))
        {
            Error(responses, 400);
        }

        if (parameters.Any(p => p.Source == BindingSource.Body))
        {
            Error(responses, 413);
            Error(responses, 415);
        }

        var idempotent = parameters.Any(p => p.Source == BindingSource.Header && p.Name == "Idempotency-Key");
        if (idempotent)
        {
            Error(responses, 422);
        }

        if (parameters.Any(p => p.Source == BindingSource.Header && p.Name == "If-Match"))
        {
            Error(responses, 412);
        }

        Error(responses, 500);

        foreach (var (status, response) in responses)
        {
            if (response is not OpenApiResponse concrete)
            {
                continue;
            }

            var code = int.Parse(status, System.Globalization.CultureInfo.InvariantCulture);
            if (code >= 400)
            {
                concrete.Content = new Dictionary<string, OpenApiMediaType>
                {
                    [ProblemMediaType] = new() { Schema = new OpenApiSchemaReference(code == 400 ? ProblemSchemas.ValidationProblem : ProblemSchemas.Problem, document) },
                };
                concrete.Description = ErrorDescriptions.GetValueOrDefault(code, concrete.Description ?? ReasonPhrases.GetReasonPhrase(code));
            }
            else if (code is 204 or 304 || concrete.Content?.Values.All(m => m.Schema is null) == true)
            {
                concrete.Content = null;
            }
            else if (concrete.Content is { } answers)
            {
                // A controller-wide [Produces] lists its media type on every answer; where an action names its own
                // (text/event-stream), the one without a schema is not sent.
                foreach (var mediaType in answers.Where(m => m.Value.Schema is null).Select(m => m.Key).ToArray())
                {
                    answers.Remove(mediaType);
                }
            }

            if (code == 201)
            {
                concrete.Header("Location", "The address of the created resource.", required: true);
                if (idempotent)
                {
                    concrete.Header(IdempotentReplayHeader.HeaderName, "\"true\" when this answer is the stored answer to an earlier request with the same Idempotency-Key.", required: false, pattern: "^true$");
                }
            }

            foreach (var header in metadata.OfType<ResponseHeaderAttribute>().Where(h => h.StatusCodes.Contains(code)))
            {
                concrete.Header(header.Name, header.Description, header.Required, header.Pattern);
            }
        }

        operation.Responses = Sorted(responses);
        if (operation.RequestBody is OpenApiRequestBody { Content: { } content })
        {
            var consumes = metadata.OfType<ConsumesAttribute>().SelectMany(c => c.ContentTypes).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var mediaType in content.Keys.Where(m => consumes.Count > 0 && !consumes.Contains(m)).ToArray())
            {
                content.Remove(mediaType);
            }
        }

        return Task.CompletedTask;
    }

    private static OpenApiResponse Error(OpenApiResponses responses, int status)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!responses.TryGetValue(key, out var response))
        {
            responses[key] = response = new OpenApiResponse { Description = ErrorDescriptions[status] };
        }

        return (OpenApiResponse)response;
    }

    private static OpenApiResponse Header(this OpenApiResponse response, string name, string description, bool required, string? pattern = null)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>(StringComparer.OrdinalIgnoreCase);
        response.Headers[name] = new OpenApiHeader
        {
            Description = description,
            Required = required,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = pattern },
        };
        return response;
    }

    private static OpenApiResponses Sorted(OpenApiResponses responses)
    {
        var sorted = new OpenApiResponses();
        foreach (var (status, response) in responses.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            sorted[status] = response;
        }

        return sorted;
    }
}
