using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Runtype.Domain.Sessions;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme: object members sorted by the UTF-16 code units of their names at
/// every depth, no insignificant whitespace, strings escaped minimally, numbers in the shortest form that
/// round-trips (ECMAScript's Number.prototype.toString).
/// </summary>
public static class CanonicalJson
{
    private const string UnpairedSurrogate = "a string contains an unpaired UTF-16 surrogate.";

    private static readonly JsonDocumentOptions ParseOptions = new()
    {
        MaxDepth = 128,
        AllowDuplicateProperties = false,
    };

    /// <summary>Lowercase hex SHA-256 of the canonical form of <paramref name="json"/>; null for null.</summary>
    public static string? Hash(string? json)
    {
        if (json is null)
        {
            return null;
        }

        var canonical = Canonicalize(json);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public static string Canonicalize(string json)
    {
        if (!IsWellFormedUtf16(json))
        {
            // JsonDocument.Parse(string) would throw ArgumentException while transcoding the text to UTF-8.
            throw new InvalidProductObject(UnpairedSurrogate);
        }

        try
        {
            using var document = JsonDocument.Parse(json, ParseOptions);
            var builder = new StringBuilder(json.Length);
            Write(document.RootElement, builder);
            return builder.ToString();
        }
        catch (JsonException ex)
        {
            throw new InvalidProductObject(ex.Message);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses to decode an escaped, unpaired UTF-16 surrogate ("\ud800").
            throw new InvalidProductObject(UnpairedSurrogate);
        }
    }

    private static void Write(JsonElement element, StringBuilder output)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                output.Append('{');
                var first = true;
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        output.Append(',');
                    }

                    first = false;
                    WriteString(property.Name, output);
                    output.Append(':');
                    Write(property.Value, output);
                }

                output.Append('}');
                break;
            case JsonValueKind.Array:
                output.Append('[');
                var firstItem = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!firstItem)
                    {
                        output.Append(',');
                    }

                    firstItem = false;
                    Write(item, output);
                }

                output.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(element.GetString()!, output);
                break;
            case JsonValueKind.Number:
                output.Append(FormatNumber(element));
                break;
            case JsonValueKind.True:
                output.Append("true");
                break;
            case JsonValueKind.False:
                output.Append("false");
                break;
            default:
                output.Append("null");
                break;
        }
    }

    private static void WriteString(string value, StringBuilder output)
    {
        if (value.Any(char.IsSurrogate) && !IsWellFormedUtf16(value))
        {
            throw new InvalidProductObject(UnpairedSurrogate);
        }

        output.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': output.Append("\\\""); break;
                case '\\': output.Append("\\\\"); break;
                case '\b': output.Append("\\b"); break;
                case '\f': output.Append("\\f"); break;
                case '\n': output.Append("\\n"); break;
                case '\r': output.Append("\\r"); break;
                case '\t': output.Append("\\t"); break;
                case < ' ': output.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: output.Append(c); break;
            }
        }

        output.Append('"');
    }

    private static bool IsWellFormedUtf16(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>ECMAScript Number::toString of the IEEE 754 double nearest to the JSON number.</summary>
    internal static string FormatNumber(JsonElement element)
    {
        if (!double.TryParse(element.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value))
        {
            throw new InvalidProductObject($"the number {Truncate(element.GetRawText())} is outside the range of an IEEE 754 double.");
        }

        return FormatNumber(value);
    }

    internal static string FormatNumber(double value)
    {
        if (value == 0)
        {
            return "0"; // also -0
        }

        // Shortest round-trip digits, e.g. "-1.2345E-07", "123.45", "1E+21".
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest[0] == '-';
        if (negative)
        {
            shortest = shortest[1..];
        }

        var exponentAt = shortest.IndexOf('E', StringComparison.Ordinal);
        var mantissa = exponentAt < 0 ? shortest : shortest[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(shortest[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dotAt = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dotAt < 0 ? mantissa : mantissa.Remove(dotAt, 1);

        // value = 0.d1d2...dk × 10^n
        var n = (dotAt < 0 ? mantissa.Length : dotAt) + exponent;
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        n -= leadingZeros;
        var k = digits.Length;

        var text = new StringBuilder(32);
        if (negative)
        {
            text.Append('-');
        }

        if (k <= n && n <= 21)
        {
            text.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            text.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            text.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            var e = n - 1;
            text.Append(digits[0]);
            if (k > 1)
            {
                text.Append('.').Append(digits, 1, k - 1);
            }

            text.Append('e').Append(e < 0 ? '-' : '+').Append(Math.Abs(e).ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");
}
