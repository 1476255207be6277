using System.Text.Json;

namespace Runtype.Application.Common;

/// <summary>Helpers for the free-form JSON objects a request carries.</summary>
public static class JsonObjects
{
    /// <summary>The JSON text to store: exactly the text received for the value.</summary>
    public static string? ToText(JsonElement? value) =>
        value is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } element ? element.GetRawText() : null;
}
