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

/// <summary>
/// One generated request. Ids, keys and the setup are named by index and resolved against the live fixture when the
/// request is sent, so that a seed describes the same request every time.
/// </summary>
public sealed record FuzzCase(
    FuzzCall Call, int SetupStatus, int PathId, int EventId, string Query, int Auth, string? ContentType, IReadOnlyList<(string Name, string Value)> Headers, byte[]? Body)
{
    public override string ToString()
    {
        var body = Body is null ? "(none)" : Body.Length > 300 ? $"{Body.Length} bytes: {Show(Body[..300])}…" : Show(Body);
        return $"{Call} setup={SetupStatus} id#{PathId} event#{EventId} query='{Query}' auth#{Auth} content-type={ContentType ?? "(none)"} " +
            $"headers=[{string.Join("; ", Headers.Select(h => $"{h.Name}: {(h.Value.Length > 80 ? h.Value[..80] + "…" : h.Value)}"))}] body={body}";
    }

    private static string Show(byte[] bytes) =>
        string.Concat(bytes.Select(b => b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}"));
}

/// <summary>Generators of random and adversarial requests (CsCheck): bodies, headers, query strings and path ids.</summary>
public static class FuzzInputs
{
    /// <summary>How many path-id variants <see cref="FuzzCase.PathId"/> picks from (see the fuzz test's resolver).</summary>
    public const int PathIds = 14;

    public const int EventIds = 6;

    public const int AuthVariants = 14;

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/json; charset=latin1", "application/json; charset=utf-16",
        "APPLICATION/JSON", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/problem+json",
        "application/merge-patch+json", "application/json;;;", "*/*", "application/*", "json", "application/json; foo=\"unterminated",
    ];

    private static readonly string[] QueryValues =
    [
        "", "0", "1", "-1", "20", "100", "101", "500", "501", "abc", "1e3", "1.5", "99999999999999999999", " 5", "0x10", "NaN", "%00", "%FF", "%C0%AF",
        "%ED%A0%80", "intake", "INTAKE", "expired", "completed", "intake,planning", "%E2%80%AE", "null", "[]", new string('9', 400),
        "0195f3c4-1111-7aaa-8bbb-000000000000", "%7B%7D",
    ];

    private static readonly string[] QueryNames = ["limit", "offset", "status", "after", "limit", "status", "LIMIT", "unknown", "", "limit[]", "%00"];

    private static readonly string[] HeaderValues =
    [
        "", " ", "*", "\"1\"", "\"2\"", "W/\"1\"", "\"1\", \"2\"", "garbage", "\"99999999999999999999\"", "\"-1\"", "\"\"", "W/", "\"",
        "0195f3c4-1111-7aaa-8bbb-000000000000", new string('k', 256), new string('k', 255), "key with spaces", "ключ", "\t", "a\u0001b",
        "text/event-stream", "application/json", "text/html", "*/*",
    ];

    private static readonly string[] HeaderNames = ["Idempotency-Key", "If-Match", "If-None-Match", "Last-Event-ID", "Accept", "Idempotency-Key", "If-Match"];

    /// <summary>JSON values that are wrong, extreme or malformed, as text to put where a field's value goes.</summary>
    private static readonly Gen<string> AdversarialValue = Gen.OneOf(
        Gen.OneOf(
            "1e400", "-1e400", "1" + new string('0', 400), "-0", "0." + new string('0', 400) + "1", "123456789012345678901234567890", "NaN",
            "Infinity", "0x10", "01", "1.", ".5", "+1", "null", "true", "false", "[]", "{}", "\"\"", "[1,2,{\"a\":null}]", "\"\\ud800\"",
            "\"\\udfff\\ud800x\"", "\"a\\u0000b\"", "\"\\u001f\"", "\"\\t\\n\\r\"", "\"\\u202e\"", "{\"a\":1,\"a\":2}", "{\"\\ud800\":1}",
            "{\"progress\":1e400}", "{\"progress\":-1}", "{\"progress\":101}", "{\"progress\":\"50\"}", "{\"progress\":null}", "{\"progress\":100}",
            "{\"step\":\"x\",\"progress\":0}", "\"planning\"", "\"completed\"", "\"EXPIRED\"", "\"expired\"", "\"intake\"",
            "\"" + new string('a', 64) + "\"", "\"0000000000000000000000000000000000000000000000000000000000000000\""),
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
        from pathId in Gen.Frequency((6, Gen.Const(0)), (4, Gen.Int[1, PathIds - 1]))
        from eventId in Gen.Frequency((4, Gen.Const(0)), (2, Gen.Int[1, EventIds - 1]))
        from query in Query
        from auth in Gen.Frequency((7, Gen.Const(0)), (3, Gen.Int[1, AuthVariants - 1]))
        from contentType in Gen.Frequency((6, Gen.Const<string?>("application/json")), (1, Gen.Const((string?)null)), (2, Gen.OneOf(ContentTypes).Select(t => (string?)t)))
        from headers in Header.Array[0, 3]
        from body in Body(call)
        select new FuzzCase(call, setup, pathId, eventId, query, auth, contentType, headers, body);

    private static Gen<(string, string)> Header =>
        from name in Gen.OneOf(HeaderNames)
        from value in Gen.OneOf(HeaderValues)
        select (name, value);

    private static Gen<string> Query =>
        Gen.Frequency(
            (3, Gen.Const(string.Empty)),
            (4, (from name in Gen.OneOf(QueryNames) from value in Gen.OneOf(QueryValues) select $"{name}={value}").Array[1, 4].Select(p => string.Join("&", p))),
            (1, Gen.OneOf("&&", "?", "=", "limit", "limit=", "=5", "%", "%%", "a=%G0", "limit=1&limit=2&limit=3")));

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
