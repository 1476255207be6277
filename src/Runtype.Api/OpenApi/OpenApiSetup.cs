using System.ComponentModel;
using System.Reflection;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Runtype.Api.Hosting;

namespace Runtype.Api.OpenApi;

/// <summary>
/// The OpenAPI 3.1 document at <c>/openapi/v1.json</c> (docs/openapi.md). Endpoints describe themselves with attributes
/// (route, <c>[EndpointName]</c>, <c>[Authorize]</c>, <c>[ProducesResponseType]</c>, <c>[FromHeader]</c>,
/// <c>[ResponseHeader]</c>, DataAnnotations); the conventions here turn that into a description a client generator can
/// use without edits, the same way for every call: <see cref="SchemaConventions"/> (names, nullability, required
/// members, free-form objects, timestamps, enums), <see cref="OperationConventions"/> (security, the errors and headers
/// every call of a kind has, media types) and <see cref="ProblemSchemas"/> (the problem details).
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePagePath = "/docs";

    /// <summary>Configuration key of the server address the document names (default: the local development address).</summary>
    public const string ServerUrlSetting = "OpenApi:ServerUrl";

    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.CreateSchemaReferenceId = SchemaConventions.ReferenceId;
            options.AddSchemaTransformer(SchemaConventions.Describe);
            options.AddOperationTransformer(OperationConventions.Describe);
            options.AddDocumentTransformer(DescribeDocument);
            options.AddDocumentTransformer(ProblemSchemas.Describe);
            options.AddDocumentTransformer(PlatformEndpoints.Describe);
            options.AddDocumentTransformer(SchemaConventions.ReferenceEnums);
            options.AddDocumentTransformer(SchemaConventions.RequireResponseMembers);
        });

    /// <summary>
    /// One tag per controller (its name), described by the controller's <c>[Description]</c>.
    /// </summary>
    private static IEnumerable<OpenApiTag> TagsOf(OpenApiDocumentTransformerContext context)
    {
        var descriptions = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var action in context.DescriptionGroups.SelectMany(g => g.Items).Select(d => d.ActionDescriptor))
        {
            if (action is ControllerActionDescriptor controller)
            {
                descriptions.TryAdd(controller.ControllerName, controller.ControllerTypeInfo.GetCustomAttribute<DescriptionAttribute>()?.Description
                    ?? $"The {controller.ControllerName} calls.");
            }
        }

        return descriptions.Select(d => new OpenApiTag { Name = d.Key, Description = d.Value });
    }

    /// <summary>
    /// Not the address the request came in on: the document is the same wherever it is served (the committed
    /// docs/openapi.json is compared with it). A deployment names its public address in <see cref="ServerUrlSetting"/>;
    /// without it the host is a variable whose default is the local development address.
    /// </summary>
    private static OpenApiServer Server(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new OpenApiServer { Url = configured.TrimEnd('/'), Description = "The API host" };
        }

        var local = new Uri(ApiHost.DefaultUrl);
        return new OpenApiServer
        {
            Url = local.Scheme + "://{host}",
            Description = "A host of this API; `host` is its name and port.",
            Variables = new Dictionary<string, OpenApiServerVariable>
            {
                ["host"] = new() { Default = local.Authority, Description = "host[:port] of the deployment (dotnet run serves the default)." },
            },
        };
    }

    private static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Runtype Sessions — Product Generation API",
            Version = DocumentName,
            Description = "Generation sessions (intake → planning → generating → assembling → completed) with their PRD, plan, "
                + "product object (hashed by the server, RFC 8785 + SHA-256), assembly state and append-only event log. "
                + "Every documented member of a response is always present (an empty value is null). Errors are RFC 9457 "
                + "problem details (application/problem+json) with a stable `code`.",
        };

        document.Info.Contact = new OpenApiContact { Name = "Runtype Sessions team" };
        document.Info.License = new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Runtype-Proprietary" };
        document.Servers = [Server(context.ApplicationServices.GetRequiredService<IConfiguration>()[ServerUrlSetting])];

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[OperationConventions.SecuritySchemeId] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key (rt_…) or a Clerk-compatible session token (a JWT, when configured), sent as "
                + "'Authorization: Bearer <token>' (a bare API key is accepted too). The scopes a call needs are listed in its "
                + "security requirement (sessions:read, sessions:write, …); a credential without them is answered 403.",
        };
        document.Tags = new HashSet<OpenApiTag>(TagsOf(context));
        return Task.CompletedTask;
    }
}
