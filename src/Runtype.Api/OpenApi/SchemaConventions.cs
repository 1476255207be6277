using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Runtype.Application.Common;
using Runtype.Domain.Common;

namespace Runtype.Api.OpenApi;

/// <summary>
/// How .NET types become schemas, for every type of every call:
/// <list type="bullet">
/// <item>names are the resource's (<c>SessionDto</c> → <c>Session</c>, <c>ProblemDetails</c> → <c>Problem</c>); a
/// PATCH field's <c>Optional&lt;T&gt;</c> is described as its value (absent or null), never as a schema of its own;</item>
/// <item>free-form objects (a <see cref="JsonElement"/>, or text written by <see cref="RawJsonConverter"/>) are objects
/// with any members, written out as <c>additionalProperties: true</c> (generators read a bare object as empty);</item>
/// <item>timestamps are <c>string</c> + <c>date-time</c>;</item>
/// <item>a string member or parameter marked <c>[EnumDataType(typeof(E))]</c> has the wire names of <c>E</c> (as the
/// API's JSON options write them) as its <c>enum</c>;</item>
/// <item>every member of a schema that only answers carry is required (contract §1: always present, null when empty).</item>
/// </list>
/// </summary>
internal static class SchemaConventions
{
    private const string EnumMarker = "x-runtype-enum";
    private const string FreeFormDescription = "A free-form JSON object, returned exactly as it was sent (same members, same order).";

    /// <summary>The component name of a type; null describes it inline.</summary>
    public static string? ReferenceId(JsonTypeInfo type)
    {
        var clr = type.Type;
        if (clr.IsGenericType && clr.GetGenericTypeDefinition() == typeof(Optional<>))
        {
            return null;
        }

        if (clr == typeof(ProblemDetails) || clr == typeof(HttpValidationProblemDetails) || clr == typeof(ValidationProblemDetails))
        {
            return clr == typeof(ProblemDetails) ? ProblemSchemas.Problem : ProblemSchemas.ValidationProblem;
        }

        var name = OpenApiOptions.CreateDefaultSchemaReferenceId(type);
        return name is not null && name.EndsWith("Dto", StringComparison.Ordinal) && name.Length > 3 ? name[..^3] : name;
    }

    public static Task Describe(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        var property = context.JsonPropertyInfo;
        var nullable = property is null ? context.ParameterDescription is { IsRequired: false } : property.IsGetNullable || property.IsSetNullable;

        if (property?.CustomConverter is RawJsonConverter || type == typeof(JsonElement) || type == typeof(JsonElement?))
        {
            FreeFormObject(schema, nullable: property is not null && (property.PropertyType != typeof(string) || property.IsGetNullable));
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Optional<>))
        {
            // Absent leaves the field alone; null clears it. The wire shape is the value's (or null).
            schema.Description = null;
            var value = type.GetGenericArguments()[0];
            if (value == typeof(string))
            {
                schema.Type = JsonSchemaType.String | JsonSchemaType.Null;
            }
            else if (value == typeof(bool?))
            {
                schema.Type = JsonSchemaType.Boolean | JsonSchemaType.Null;
            }
            else if (value == typeof(IReadOnlyList<string>))
            {
                schema.Type = JsonSchemaType.Array | JsonSchemaType.Null;
                schema.Items = new OpenApiSchema { Type = JsonSchemaType.String };
            }
            else
            {
                FreeFormObject(schema, nullable: true);
            }
        }
        else if (type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateTime?) || type == typeof(DateTimeOffset?))
        {
            schema.Type = Nullable.GetUnderlyingType(type) is null ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
            schema.Format = "date-time";
        }

        var attributes = AttributesOf(context).ToArray();
        if (attributes.OfType<RequiredAttribute>().Any() && schema.Type is { } required)
        {
            schema.Type = required & ~JsonSchemaType.Null;
        }

        if (property is null && context.JsonTypeInfo.Properties is { Count: > 0 } members
            && members.All(m => m.PropertyType.IsGenericType && m.PropertyType.GetGenericTypeDefinition() == typeof(Optional<>)))
        {
            // A PATCH body: every member may be absent, but not all of them.
            schema.MinProperties = 1;
        }

        if (attributes.OfType<EnumDataTypeAttribute>().FirstOrDefault() is { } enumType)
        {
            // Marked here, replaced by a reference to the enum's component once the document is complete (ReferenceEnums).
            var target = schema.Type?.HasFlag(JsonSchemaType.Array) == true && schema.Items is OpenApiSchema items ? items : schema;
            target.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            target.Extensions[EnumMarker] = new JsonNodeExtension(JsonValue.Create(enumType.EnumType.AssemblyQualifiedName!));
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Each string marked <c>[EnumDataType(typeof(E))]</c> becomes a reference to the component <c>E</c> (created here:
    /// the wire names of E's values), or "that or null" where null is allowed, so a generator makes one type of it.
    /// </summary>
    public static Task ReferenceEnums(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var json = context.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<JsonOptions>>().Value.JsonSerializerOptions;
        document.Components ??= new OpenApiComponents();
        var components = document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);

        IOpenApiSchema Replace(IOpenApiSchema schema)
        {
            if (schema is not OpenApiSchema concrete || concrete.Extensions?.TryGetValue(EnumMarker, out var marker) != true)
            {
                return schema;
            }

            var type = Type.GetType(((JsonNodeExtension)marker!).Node.GetValue<string>(), throwOnError: true)!;
            components.TryAdd(type.Name, EnumSchema(type, json));
            var reference = new OpenApiSchemaReference(type.Name, document);
            return concrete.Type?.HasFlag(JsonSchemaType.Null) == true
                ? new OpenApiSchema { AnyOf = [reference, new OpenApiSchema { Type = JsonSchemaType.Null }], Description = concrete.Description }
                : reference;
        }

        void Visit(IOpenApiSchema schema)
        {
            if (schema is not OpenApiSchema concrete)
            {
                return;
            }

            if (concrete.Properties is { } properties)
            {
                foreach (var name in properties.Keys.ToArray())
                {
                    Visit(properties[name] = Replace(properties[name]));
                }
            }

            if (concrete.Items is { } items)
            {
                Visit(concrete.Items = Replace(items));
            }
        }

        foreach (var schema in components.Values.ToArray())
        {
            Visit(schema);
        }

        foreach (var operation in document.Paths?.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []) ?? [])
        {
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                if (parameter.Schema is { } schema)
                {
                    parameter.Schema = Replace(schema);
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The component of an enum: its values' wire names.</summary>
    public static OpenApiSchema EnumSchema(Type enumType, JsonSerializerOptions json) => new()
    {
        Type = JsonSchemaType.String,
        Enum = [.. WireNames(enumType, json).Select(name => (JsonNode)JsonValue.Create(name)!)],
    };

    /// <summary>The names the API's JSON options write for the values of <paramref name="enumType"/>.</summary>
    public static IEnumerable<string> WireNames(Type enumType, JsonSerializerOptions json) =>
        Enum.GetValues(enumType).Cast<object>().Select(value => JsonSerializer.SerializeToElement(value, enumType, json).GetString()!);

    /// <summary>
    /// Members of schemas that only answers carry are all required: the API always sends every documented member. A
    /// request body's members keep what their type says (absent is allowed where the call allows it).
    /// </summary>
    public static Task RequireResponseMembers(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var schemas = document.Components?.Schemas;
        if (schemas is null || document.Paths is null)
        {
            return Task.CompletedTask;
        }

        var operations = document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []).ToArray();
        var read = Reachable(operations.SelectMany(o => o.RequestBody?.Content?.Values.AsEnumerable() ?? []).Select(m => m.Schema), schemas);
        var written = Reachable(operations.SelectMany(o => o.Responses?.Values.AsEnumerable() ?? []).SelectMany(r => r.Content?.Values.AsEnumerable() ?? []).Select(m => m.Schema), schemas);
        foreach (var name in written.Except(read))
        {
            if (schemas[name] is OpenApiSchema { Properties.Count: > 0 } schema && name is not ProblemSchemas.Problem and not ProblemSchemas.ValidationProblem)
            {
                schema.Required = new HashSet<string>(schema.Properties.Keys, StringComparer.Ordinal);
            }
        }

        return Task.CompletedTask;
    }

    private static HashSet<string> Reachable(IEnumerable<IOpenApiSchema?> roots, IDictionary<string, IOpenApiSchema> components)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<IOpenApiSchema>(roots.OfType<IOpenApiSchema>());
        while (pending.TryPop(out var schema))
        {
            if (schema is OpenApiSchemaReference reference)
            {
                var id = reference.Reference.Id;
                if (id is not null && names.Add(id) && components.TryGetValue(id, out var target))
                {
                    pending.Push(target);
                }

                continue;
            }

            foreach (var child in Children(schema))
            {
                pending.Push(child);
            }
        }

        return names;
    }

    private static IEnumerable<IOpenApiSchema> Children(IOpenApiSchema schema) =>
        (schema.Properties?.Values ?? [])
            .Concat(schema.AllOf ?? []).Concat(schema.AnyOf ?? []).Concat(schema.OneOf ?? [])
            .Concat(new[] { schema.Items, schema.AdditionalProperties }.OfType<IOpenApiSchema>());

    /// <summary>An object with any members; <c>additionalProperties: true</c> is written out (see <see cref="AnyMembers"/>).</summary>
    public static void FreeFormObject(OpenApiSchema schema, bool nullable)
    {
        schema.Type = nullable ? JsonSchemaType.Object | JsonSchemaType.Null : JsonSchemaType.Object;
        AnyMembers(schema);
        schema.Description ??= FreeFormDescription;
    }

    /// <summary>
    /// <c>additionalProperties: true</c>, written out. The OpenAPI writer omits it when it is true (JSON Schema's default),
    /// but openapi-typescript and others then type the object as having no members at all.
    /// </summary>
    public static void AnyMembers(OpenApiSchema schema)
    {
        schema.AdditionalPropertiesAllowed = true;
        schema.AdditionalProperties = null;
        schema.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        schema.Extensions["additionalProperties"] = new JsonNodeExtension(JsonValue.Create(true));
    }

    private static IEnumerable<Attribute> AttributesOf(OpenApiSchemaTransformerContext context)
    {
        if (context.JsonPropertyInfo?.AttributeProvider is { } provider)
        {
            return provider.GetCustomAttributes(inherit: true).OfType<Attribute>();
        }

        if (context.JsonPropertyInfo is null && context.ParameterDescription?.ParameterDescriptor is ControllerParameterDescriptor parameter)
        {
            return parameter.ParameterInfo.GetCustomAttributes(inherit: true).OfType<Attribute>();
        }

        return [];
    }
}
