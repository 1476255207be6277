using System.Globalization;
using System.Text.Json;

namespace Runtype.Api.Tests.Infrastructure;

/// <summary>The exact member sets of the resources (contract §3): every documented member, always present.</summary>
public static class Shapes
{
    public static readonly string[] Session =
    [
        "id", "userId", "organizationId", "status", "catalogVersion", "schemaVersion", "prd", "plan", "productObject",
        "productObjectHash", "assemblyState", "createdAt", "updatedAt", "expiresAt",
    ];

    public static readonly string[] SessionDetails = [.. Session, "events"];

    public static readonly string[] Event = ["id", "sessionId", "userId", "organizationId", "type", "stage", "message", "payload", "createdAt"];

    public static void AssertKeys(string[] expected, JsonElement element) =>
        Assert.Equal(expected.Order(StringComparer.Ordinal), element.Keys().Order(StringComparer.Ordinal));

    /// <summary>ISO 8601 UTC with milliseconds and a Z, e.g. 2024-06-10T09:15:30.123Z.</summary>
    public static DateTime AssertTimestamp(JsonElement value)
    {
        var text = value.GetString()!;
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", text);
        return DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }

    /// <summary>A lowercase, version 7 UUID.</summary>
    public static void AssertUuidV7(JsonElement value)
    {
        var text = value.GetString()!;
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", text);
    }
}
