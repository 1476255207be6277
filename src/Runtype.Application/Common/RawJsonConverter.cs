using System.Text.Json;
using System.Text.Json.Serialization;

namespace Runtype.Application.Common;

/// <summary>
/// Writes a stored JSON text as it is (same keys, same key order, same values): the free-form objects are
/// returned exactly as they were received, without a parse and a re-serialization on every read.
/// </summary>
public sealed class RawJsonConverter : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.ValueKind == JsonValueKind.Null ? null : document.RootElement.GetRawText();
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(value, skipInputValidation: true);
        }
    }
}
