using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Options;
using Runtype.Api.Http;
using Runtype.Domain.Common;

namespace Runtype.Api.Errors;

/// <summary>
/// Turns what model binding rejected (malformed JSON, wrong types, unknown or repeated fields, too deep, bad query
/// values) into a 400 whose <c>errors</c> name the top-level field in camelCase and say what it must be, in words
/// a client can act on (never .NET type names).
/// </summary>
public sealed partial class ModelStateProblems(IOptions<Microsoft.AspNetCore.Mvc.JsonOptions> jsonOptions)
{
    private const string BodyKey = "body";
    private const string BodyRequired = "A JSON object is required as the request body.";

    public IActionResult Create(ActionContext context)
    {
        var bodyType = context.ActionDescriptor.Parameters
            .FirstOrDefault(p => p.BindingInfo?.BindingSource == BindingSource.Body)?.ParameterType;
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (key, entry) in context.ModelState)
        {
            foreach (var error in entry.Errors)
            {
                var (field, message) = Describe(key, error.ErrorMessage, bodyType);
                if (!errors.TryGetValue(field, out var messages))
                {
                    errors[field] = messages = [];
                }

                if (!messages.Contains(message))
                {
                    messages.Add(message);
                }
            }
        }

        // A body that failed to parse is also reported missing by [Required]: the parse error alone says what is wrong.
        if (errors.Sum(e => e.Value.Count) > 1 && errors.TryGetValue(BodyKey, out var bodyErrors) && bodyErrors.Remove(BodyRequired) && bodyErrors.Count == 0)
        {
            errors.Remove(BodyKey);
        }

        return new ProblemResult(ApiProblems.Validation(errors.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal)));
    }

    private (string Field, string Message) Describe(string key, string message, Type? bodyType)
    {
        if (key == BodyKey && message.EndsWith("field is required.", StringComparison.Ordinal))
        {
            // The body was the JSON literal null.
            return (BodyKey, BodyRequired);
        }

        if (!key.StartsWith('$') && key.Length > 0 && !message.Contains("non-empty request body", StringComparison.Ordinal))
        {
            // A query value that is not of its type, e.g. "limit=abc" (all typed query values are integers).
            return message.StartsWith("The value '", StringComparison.Ordinal)
                ? (key, $"{key} must be an integer; '{QuotedName().Match(message).Groups[1].Value}' is not.")
                : (key, message);
        }

        var field = TopLevelField(key);
        if (message.Contains("non-empty request body", StringComparison.Ordinal) || (field is null && message.Contains("required", StringComparison.Ordinal)))
        {
            return (BodyKey, BodyRequired);
        }

        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return (field ?? BodyKey, $"'{field}' is not a known field.");
        }

        if (message.StartsWith("Duplicate property", StringComparison.Ordinal))
        {
            var name = QuotedName().Match(message) is { Success: true } m ? m.Groups[1].Value : field;
            return (field ?? BodyKey, field is not null && name != field
                ? $"The object in '{field}' repeats the key '{name}'."
                : $"'{name}' appears more than once.");
        }

        if (message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            return (field ?? BodyKey, $"JSON nesting is deeper than {jsonOptions.Value.JsonSerializerOptions.MaxDepth} levels.");
        }

        if (message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            return field is null
                ? (BodyKey, "The request body must be a JSON object.")
                : (field, $"'{field}' must be {Expected(bodyType, field)}.");
        }

        if (message.StartsWith(JsonObjectConverter.NotUnicode, StringComparison.Ordinal))
        {
            return (field ?? BodyKey, $"'{field}' {JsonObjectConverter.NotUnicode}");
        }

        // The reader's own words for malformed JSON, without the internal path suffix.
        var text = PathSuffix().Replace(message, string.Empty).TrimEnd('.');
        return (field ?? BodyKey, $"The body is not valid JSON: {text}.");
    }

    private string Expected(Type? bodyType, string field)
    {
        if (bodyType is null)
        {
            return "of another JSON type";
        }

        var property = jsonOptions.Value.JsonSerializerOptions.GetTypeInfo(bodyType).Properties
            .FirstOrDefault(p => p.Name == field);
        var type = property?.PropertyType;
        if (type is null)
        {
            return "of another JSON type";
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Optional<>))
        {
            type = type.GetGenericArguments()[0];
        }

        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var word = underlying == typeof(JsonElement) ? "a JSON object" : underlying == typeof(string) ? "a string" : "a value of another type";
        return $"{word} or null";
    }

    /// <summary>"$.prd.a[0]" → "prd"; "$['odd name']" → "odd name"; "$" or "" → null.</summary>
    private static string? TopLevelField(string key)
    {
        if (key.StartsWith("$.", StringComparison.Ordinal))
        {
            var rest = key[2..];
            var end = rest.IndexOfAny(['.', '[']);
            return end < 0 ? rest : rest[..end];
        }

        if (key.StartsWith("$['", StringComparison.Ordinal))
        {
            var end = key.IndexOf("']", 3, StringComparison.Ordinal);
            return end < 0 ? null : key[3..end];
        }

        return key.Length == 0 || key == "$" ? null : key;
    }

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex QuotedName();

    [GeneratedRegex(@"\s*Path: .*$", RegexOptions.Singleline)]
    private static partial Regex PathSuffix();
}
