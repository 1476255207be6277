using System.Text;
using CsCheck;

namespace Runtype.Api.Tests.Reliability;

/// <summary>The calls a fuzzed request may aim at: the six published ones, event paging, the stream and one event.</summary>
public enum FuzzCall
{
    List,
    Create,
    Get,
    Patch,
    Delete,
    Append,
    GetEvent,
    EventsPage,
    Stream,
}

/// <summary>What the generator knows of a media type it made: it must be taken, it must be refused, or either may be right.</summary>
public enum MediaTypeVerdict
{
    Either,
    Accepted,
    Refused,
}

/// <summary>
/// One generated request. Ids, keys and the setup are named by index and resolved against the live fixture when the
/// request is sent, so that a seed describes the same request every time. <see cref="SetupPayload"/> is the payload of
/// the event the setup appends (Unicode edge cases included), which a stream then has to frame.
/// </summary>
public sealed record FuzzCase(
    FuzzCall Call,
    int SetupStatus,
    string SetupPayload,
    int PathId,
    int EventId,
    string Query,
    int Auth,
    string? ContentType,
    MediaTypeVerdict ContentTypeVerdict,
    IReadOnlyList<(string Name, string Value)> Headers,
    byte[]? Body)
{
    public override string ToString()
    {
        var body = Body is null ? "(none)" : Body.Length > 300 ? $"{Body.Length} bytes: {Show(Body[..300])}…" : Show(Body);
        return $"{Call} setup={SetupStatus} setup-payload={Escape(SetupPayload)} id#{PathId} event#{EventId} query='{Query}' auth#{Auth} " +
            $"content-type={ContentType ?? "(none)"} ({ContentTypeVerdict}) " +
            $"headers=[{string.Join("; ", Headers.Select(h => $"{h.Name}: {(h.Value.Length > 80 ? h.Value[..80] + "…" : h.Value)}"))}] body={body}";
    }

    private static string Escape(string text) =>
        string.Concat(text.Select(c => c is >= ' ' and < (char)0x7F ? c.ToString() : $"\\u{(int)c:x4}"));

    private static string Show(byte[] bytes) =>
        string.Concat(bytes.Select(b => b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}"));
}

/// <summary>Generators of random and adversarial requests (CsCheck): bodies, headers, query strings and path ids.</summary>
public static class FuzzInputs
{
    /// <summary>How many path-id variants <see cref="FuzzCase.PathId"/> picks from (see the fuzz test's resolver).</summary>
    public const int PathIds = 20;

    /// <summary>The path-id variants that are the session's own id in a form that must name nothing (404).</summary>
    public static readonly int[] LenientPathIds = [3, 13, 14, 15, 16, 17, 18, 19];

    public const int EventIds = 9;

    /// <summary>The event-id variants that are the event's own id in a form that must name nothing (404).</summary>
    public static readonly int[] LenientEventIds = [6, 7, 8];

    public const int AuthVariants = 14;

    /// <summary>
    /// Media types with parameters put together from parts, each with what the contract says of it: a malformed
    /// parameter (an empty value, an unterminated quote), a charset other than UTF-8 or a type that is not JSON must be
    /// refused (415/400); JSON in UTF-8 with well-formed parameters must be taken.
    /// </summary>
    public static readonly Gen<(string? Value, MediaTypeVerdict Verdict)> ContentType =
        from type in Gen.OneOf(
            ("application/json", MediaTypeVerdict.Accepted), ("APPLICATION/JSON", MediaTypeVerdict.Accepted), ("application/merge-patch+json", MediaTypeVerdict.Either),
            ("application/problem+json", MediaTypeVerdict.Either), ("text/plain", MediaTypeVerdict.Refused), ("application/x-www-form-urlencoded", MediaTypeVerdict.Refused),
            ("multipart/form-data; boundary=x", MediaTypeVerdict.Refused), ("*/*", MediaTypeVerdict.Either), ("application/*", MediaTypeVerdict.Either),
            ("json", MediaTypeVerdict.Refused), ("application/", MediaTypeVerdict.Refused), ("", MediaTypeVerdict.Refused))
        from parameters in Gen.OneOf(
            ("charset=utf-8", MediaTypeVerdict.Accepted), ("charset=UTF-8", MediaTypeVerdict.Accepted), ("Charset=\"utf-8\"", MediaTypeVerdict.Accepted),
            ("v=1", MediaTypeVerdict.Accepted), ("charset=", MediaTypeVerdict.Refused), ("a=", MediaTypeVerdict.Refused), ("charset=\"\"", MediaTypeVerdict.Refused),
            ("charset=utf-16", MediaTypeVerdict.Refused), ("charset=latin1", MediaTypeVerdict.Refused), ("charset=bogus", MediaTypeVerdict.Refused),
            ("charset=utf-32", MediaTypeVerdict.Refused), ("foo=\"unterminated", MediaTypeVerdict.Refused), ("=x", MediaTypeVerdict.Refused),
            ("charset=utf-8; charset=utf-8", MediaTypeVerdict.Refused), ("", MediaTypeVerdict.Either)).Array[0, 2]
        from separator in Gen.OneOf(";", "; ", " ; ", ";\t")
        select (Join(type.Item1, parameters.Select(p => p.Item1), separator), Verdict(type.Item2, parameters));

    private static string Join(string type, IEnumerable<string> parameters, string separator) =>
        string.Concat(parameters.Where(p => p.Length > 0).Select(p => separator + p).Prepend(type));

    private static MediaTypeVerdict Verdict(MediaTypeVerdict type, (string Text, MediaTypeVerdict Verdict)[] parameters)
    {
        // Two picks that each name a charset make a media type with two, refused however alike they are (as the
        // single pick "charset=utf-8; charset=utf-8" says).
        if (parameters.Sum(p => p.Text.Split(';').Count(part => part.TrimStart().StartsWith("charset=", StringComparison.OrdinalIgnoreCase))) > 1)
        {
            return MediaTypeVerdict.Refused;
        }

        var all = parameters.Select(p => p.Verdict).Prepend(type).ToArray();
        return all.Contains(MediaTypeVerdict.Refused) ? MediaTypeVerdict.Refused
            : all.Contains(MediaTypeVerdict.Either) ? MediaTypeVerdict.Either
            : MediaTypeVerdict.Accepted;
    }

    private static readonly string[] QueryValues =
    [
        "", "0", "1", "-1", "20", "100", "101", "500", "501", "abc", "1e3", "1.5", "99999999999999999999", " 5", "0x10", "NaN", "%00", "%FF", "%C0%AF",
        "%ED%A0%80", "intake", "INTAKE", "expired", "completed", "intake,planning", "%E2%80%AE", "null", "[]", new string('9', 400),
        "0195f3c4-1111-7aaa-8bbb-000000000000", "%7B%7D",

        // Numbers in forms a lenient parser takes: hex, a sign, a trailing NUL, padding, exponent, non-ASCII digits.
        "0x10", "%2B5", "5%00", "%205", "5%20", "1e2", "5.0", "%D9%A5", "%EF%BC%95", "05", "-0", "%2B0", "0x0",

        // The event's id in forms Guid.TryParse takes (for after=); EVENT-N is it without dashes.
        "%7B0195f3c4-1111-7aaa-8bbb-000000000000%7D", "EVENT-N", "%200195f3c4-1111-7aaa-8bbb-000000000000", "(0195f3c4-1111-7aaa-8bbb-000000000000)",
    ];

    private static readonly string[] QueryNames = ["limit", "offset", "status", "after", "limit", "status", "LIMIT", "unknown", "", "limit[]", "%00"];

    private static readonly string[] HeaderValues =
    [
        "", " ", "*", "\"1\"", "\"2\"", "W/\"1\"", "\"1\", \"2\"", "garbage", "\"99999999999999999999\"", "\"-1\"", "\"\"", "W/", "\"",
        "0195f3c4-1111-7aaa-8bbb-000000000000", new string('k', 256), new string('k', 255), "key with spaces", "ключ", "\t", "a\u0001b",
        "text/event-stream", "application/json", "text/html", "*/*",
        "{0195f3c4-1111-7aaa-8bbb-000000000000}", "EVENT-N", "(0195f3c4-1111-7aaa-8bbb-000000000000)", "0195F3C4-1111-7AAA-8BBB-000000000000",
    ];

    private static readonly string[] HeaderNames = ["Idempotency-Key", "If-Match", "If-None-Match", "Last-Event-ID", "Accept", "Idempotency-Key", "If-Match"];

    /// <summary>
    /// Strings at Unicode's edges, as JSON text: raw line and paragraph separators and NEL (legal inside JSON strings,
    /// line ends to some readers), BOM and noncharacters, bidi controls, surrogate pairs, and lone surrogates escaped
    /// (not Unicode text at all).
    /// </summary>
    public static readonly Gen<string> UnicodeString = Gen.OneOf(
        "\"a\u2028b\"", "\"a\u2029b\"", "\"a\u0085b\"", "\"\u2028\u2029\u0085\"", "\"\ufeff\"", "\"\ufffe\uffff\"", "\"\u202e\u200f\"",
        "\"\ud83d\ude80\"", "\"\\ud83d\\ude80\"", "\"\\u2028\"", "\"tab\\tnl\\n\"", "\"\u00e9\u0301\"");

    /// <summary>Escapes that are not Unicode text: lone or reversed surrogates.</summary>
    public static readonly Gen<string> LoneSurrogate = Gen.OneOf("\"\\ud800\"", "\"x\\udc00\"", "\"\\udc00\\ud800\"", "\"\\ud800\\ud800\"", "\"\\udbff\"");

    /// <summary>A free-form object holding valid Unicode edge cases somewhere: as a value, in an array, as a key, with line breaks between tokens.</summary>
    public static readonly Gen<string> UnicodeObject = ObjectHolding(UnicodeString);

    private static readonly Gen<string> AnyUnicodeObject = ObjectHolding(Gen.Frequency((3, UnicodeString), (2, LoneSurrogate)));

    private static Gen<string> ObjectHolding(Gen<string> strings) =>
        from value in strings
        from shape in Gen.Int[0, 4]
        select shape switch
        {
            0 => $"{{\"s\":{value}}}",
            1 => $"{{\"a\":[1,{{\"b\":{value}}}]}}",
            2 => $"{{{value}:1}}",
            3 => $"{{\r\n  \"s\": {value},\n  \"n\": [1,\r 2]\n}}",
            _ => $"{{\"k\u2028\":{value},\"progress\":50}}",
        };

    /// <summary>JSON values that are wrong, extreme or malformed, as text to put where a field's value goes.</summary>
    private static readonly Gen<string> AdversarialValue = Gen.OneOf(
        Gen.OneOf(
            "1e400", "-1e400", "1" + new string('0', 400), "-0", "0." + new string('0', 400) + "1", "123456789012345678901234567890", "NaN",
            "Infinity", "0x10", "01", "1.", ".5", "+1", "null", "true", "false", "[]", "{}", "\"\"", "[1,2,{\"a\":null}]", "\"\\ud800\"",
            "\"\\udfff\\ud800x\"", "\"a\\u0000b\"", "\"\\u001f\"", "\"\\t\\n\\r\"", "\"\\u202e\"", "{\"a\":1,\"a\":2}", "{\"\\ud800\":1}",
            "{\"progress\":1e400}", "{\"progress\":-1}", "{\"progress\":101}", "{\"progress\":\"50\"}", "{\"progress\":null}", "{\"progress\":100}",
            "{\"step\":\"x\",\"progress\":0}", "\"planning\"", "\"completed\"", "\"EXPIRED\"", "\"expired\"", "\"intake\"",
            "\"" + new string('a', 64) + "\"", "\"0000000000000000000000000000000000000000000000000000000000000000\""),
        AnyUnicodeObject,
        Gen.Frequency((3, UnicodeString), (2, LoneSurrogate)),
        Gen.Int[1, 70_000].Select(n => "\"" + new string('x', n) + "\""),
        Gen.OneOf(63, 64, 65, 200, 5000).Select(d => string.Concat(Enumerable.Repeat("[", d)) + string.Concat(Enumerable.Repeat("]", d))),
        Gen.OneOf(62, 63, 64, 65, 1000).Select(d => string.Concat(Enumerable.Repeat("{\"a\":", d)) + "1" + new string('}', d)),
        Gen.OneOf(100, 5000).Select(n => "{" + string.Join(",", Enumerable.Range(0, n).Select(i => $"\"k{i}\":{i}")) + "}"),
        Gen.String[0, 40].Select(s => System.Text.Json.JsonSerializer.Serialize(s)));

    private static readonly string[] CreateFields = ["catalogVersion", "schemaVersion", "prd", "bogus", "CatalogVersion", "id", "status"];

    private static readonly string[] PatchFields = ["status", "prd", "plan", "productObject", "productObjectHash", "assemblyState", "events", "userId"];

    private static readonly string[] AppendFields = ["type", "stage", "message", "payload", "id", "sequence"];

    /// <summary>Raw byte damage: invalid UTF-8 (stray continuation, overlong, encoded surrogate, truncated sequence), NUL, control bytes, a BOM.</summary>
    private static readonly byte[][] RawDamage =
    [
        [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x00], [0x01], [0x1F], [0x7F], [0xEF, 0xBB, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0x80],
        [(byte)'"'], [(byte)'\\'], [(byte)'{'], [(byte)'}'], [(byte)','],
    ];

    public static readonly Gen<FuzzCase> Case =
        from call in Gen.Int[0, 8].Select(i => (FuzzCall)i)
        from setup in Gen.Int[0, 2]
        from setupPayload in Gen.Frequency((2, Gen.Const("{\"n\":1}")), (3, UnicodeObject))
        from pathId in Gen.Frequency((6, Gen.Const(0)), (4, Gen.Int[1, PathIds - 1]))
        from eventId in Gen.Frequency((4, Gen.Const(0)), (2, Gen.Int[1, EventIds - 1]))
        from query in Query
        from auth in Gen.Frequency((7, Gen.Const(0)), (3, Gen.Int[1, AuthVariants - 1]))
        from contentType in Gen.Frequency(
            (6, Gen.Const<(string?, MediaTypeVerdict)>(("application/json", MediaTypeVerdict.Accepted))),
            (1, Gen.Const<(string?, MediaTypeVerdict)>((null, MediaTypeVerdict.Either))),
            (3, ContentType))
        from headers in Header.Array[0, 3]
        from body in Body(call)
        select new FuzzCase(call, setup, setupPayload, pathId, eventId, query, auth, contentType.Item1, contentType.Item2, headers, body);

    private static Gen<(string, string)> Header =>
        from name in Gen.OneOf(HeaderNames)
        from value in Gen.OneOf(HeaderValues)
        select (name, value);

    private static Gen<string> Query =>
        Gen.Frequency(
            (3, Gen.Const(string.Empty)),
            (4, (from name in Gen.OneOf(QueryNames) from value in Gen.OneOf(QueryValues) select $"{name}={value}").Array[1, 4].Select(p => string.Join("&", p))),
            (1, Gen.OneOf("&&", "?", "=", "limit", "limit=", "=5", "%", "%%", "a=%G0", "limit=1&limit=2&limit=3", "limit=5&LIMIT=5", "status=intake&status=intake", "offset=0&offset=1")));

    private static Gen<byte[]?> Body(FuzzCall call)
    {
        var (template, fields) = call switch
        {
            FuzzCall.Create => ("""{"catalogVersion":"1.0","prd":{"title":"fuzz"},"schemaVersion":"1.0"}""", CreateFields),
            FuzzCall.Patch => ("""{"status":"planning","plan":{"steps":[1,2]},"assemblyState":{"progress":50}}""", PatchFields),
            FuzzCall.Append => ("""{"type":"progress","stage":"generation","message":"step","payload":{"step":1}}""", AppendFields),
            _ => ("{}", CreateFields),
        };

        var valid = Gen.Const<byte[]?>(Encoding.UTF8.GetBytes(template));
        var oneField =
            from field in Gen.OneOf(fields)
            from value in AdversarialValue
            from keepOthers in Gen.Bool
            select (byte[]?)Encoding.UTF8.GetBytes(keepOthers ? template[..^1] + $",\"{field}\":{value}}}" : $"{{\"{field}\":{value}}}");
        var damaged =
            from bytes in Gen.OneOf(valid, oneField)
            from at in Gen.Int[0, 1000].Select(i => i / 1000.0)
            from damage in Gen.OneOf(RawDamage)
            select (byte[]?)Insert(bytes!, (int)(at * bytes!.Length), damage);
        var truncated =
            from bytes in Gen.OneOf(valid, oneField)
            from at in Gen.Int[0, 1000].Select(i => i / 1000.0)
            select (byte[]?)bytes![..(int)(at * bytes!.Length)];
        var literals = Gen.OneOf<byte[]?>(
            null, [], " "u8.ToArray(), "null"u8.ToArray(), "[]"u8.ToArray(), "\"s\""u8.ToArray(), "123"u8.ToArray(), "true"u8.ToArray(), "{"u8.ToArray(),
            "}"u8.ToArray(), "{}{}"u8.ToArray(), "{} x"u8.ToArray(), "{\"a\":1}"u8.ToArray(), [0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}'],
            Encoding.Unicode.GetBytes(template), Encoding.UTF32.GetBytes(template), Encoding.Latin1.GetBytes("{\"type\":\"caf\u00e9\"}"),
            Encoding.UTF8.GetBytes(template.Replace("\"", "'", StringComparison.Ordinal)), Encoding.UTF8.GetBytes("{\"a\":\"" + (char)1 + "\"}"),
            Encoding.UTF8.GetBytes(new string(' ', 2000) + template));
        var noise = Gen.Byte.Array[0, 200].Select(b => (byte[]?)b);
        return Gen.Frequency((2, valid), (6, oneField), (3, damaged), (2, truncated), (2, literals), (1, noise));
    }

    private static byte[] Insert(byte[] bytes, int at, byte[] inserted) => [.. bytes[..at], .. inserted, .. bytes[at..]];
}
