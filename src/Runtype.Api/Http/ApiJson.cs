using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Runtype.Domain.Common;

namespace Runtype.Api.Http;

/// <summary>The one set of JSON rules for request and response bodies (contract §1 and §5).</summary>
public static class ApiJson
{
    /// <summary>JSON nesting deeper than this is refused with 400.</summary>
    public const int MaxDepth = 64;

    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.AllowDuplicateProperties = false;
        options.MaxDepth = MaxDepth;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.Converters.Add(new UtcTimestampConverter());
        options.Converters.Add(new JsonObjectConverter());
        options.Converters.Add(new OptionalConverterFactory());

        // Enums are written by their wire names (SessionStatus.Intake → "intake"), as the OpenAPI document lists them.
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
    }
}

/// <summary>Timestamps: ISO 8601, UTC, milliseconds, <c>Z</c> suffix.</summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTime>
{
    /// <summary><c>yyyy-MM-ddTHH:mm:ss.fffZ</c>: always 24 characters, for every year from 1 to 9999.</summary>
    public const int Length = 24;

    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTime.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        Span<byte> text = stackalloc byte[Length];
        value.ToUniversalTime().TryFormat(text, out _, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        writer.WriteStringValue(text);
    }
}

/// <summary>
/// Every <see cref="JsonElement"/> in a request is a free-form object (prd, plan, productObject, assemblyState,
/// payload): anything but an object is refused, an object may not repeat a key at any depth, and every key and string
/// in it must be valid Unicode, as every other string of a body must be (contract §5).
/// </summary>
public sealed class JsonObjectConverter : JsonConverter<JsonElement>
{
    /// <summary>What a free-form object with a string that is not Unicode is told (after the field's name).</summary>
    public const string NotUnicode = "contains a key or string that is not valid Unicode (an unpaired UTF-16 surrogate such as \\ud800).";

    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException();
        }

        var value = JsonElement.ParseValue(ref reader);

        // The reader checks JSON structure, not the bytes inside strings: a stray byte like 0x80 would only fail when
        // the object is turned into text to be stored, as a 500. Checked here on the raw bytes, it is the caller's 400.
        if (!Utf8.IsValid(JsonMarshal.GetRawUtf8Value(value)))
        {
            throw new JsonException("The object is not valid UTF-8 text.");
        }

        try
        {
            Check(value);
        }
        catch (InvalidOperationException)
        {
            // A key or string escaped as an unpaired UTF-16 surrogate ("\ud800", "\udc00\ud800") has no string value.
            throw new JsonException(NotUnicode);
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) => value.WriteTo(writer);

    /// <summary>No repeated key in an object, no string or key that is not Unicode text, at any depth.</summary>
    private static void Check(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (!names.Add(property.Name))
                    {
                        // Same words as System.Text.Json's own duplicate check, so both read alike to clients.
                        throw new JsonException($"Duplicate property '{property.Name}' encountered during deserialization.");
                    }

                    Check(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Check(item);
                }

                break;
            case JsonValueKind.String when JsonMarshal.GetRawUtf8Value(element).Contains((byte)'\\'):
                // The raw bytes are UTF-8 (checked above): only an escape can make a string that is not Unicode text.
                _ = element.GetString();
                break;
        }
    }
}

/// <summary>Reads a present key (null included) as a present <see cref="Optional{T}"/>; an absent key stays absent.</summary>
public sealed class OptionalConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Optional<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(OptionalConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class OptionalConverter<T> : JsonConverter<Optional<T>>
    {
        public override bool HandleNull => true;

        public override Optional<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            // The value's own converter, called in place, so an error keeps the path of the field ("$.prd").
            var converter = (JsonConverter<T>)options.GetConverter(typeof(T));
            return reader.TokenType == JsonTokenType.Null && !converter.HandleNull
                ? Optional<T>.Of(default!)
                : Optional<T>.Of(converter.Read(ref reader, typeof(T), options)!);
        }

        public override void Write(Utf8JsonWriter writer, Optional<T> value, JsonSerializerOptions options)
        {
            if (value.HasValue)
            {
                JsonSerializer.Serialize(writer, value.Value, options);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}
