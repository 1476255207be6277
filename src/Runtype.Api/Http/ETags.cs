using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Runtype.Api.Http;

/// <summary>Strong entity tags made from a session's concurrency token: <c>"&lt;version&gt;"</c>.</summary>
public static class ETags
{
    public static string Format(long version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>
    /// The versions an <c>If-Match</c> header accepts; null when there is no precondition (no header, or <c>*</c>,
    /// since the session must exist anyway). Weak or malformed tags never match (strong comparison).
    /// </summary>
    public static IReadOnlyCollection<long>? ParseIfMatch(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        if (!EntityTagHeaderValue.TryParseList([header], out var tags))
        {
            return [];
        }

        if (tags.Any(t => t.Equals(EntityTagHeaderValue.Any)))
        {
            return null;
        }

        return [.. tags.Where(t => !t.IsWeak).Select(t => TryReadVersion(t.Tag.Value)).OfType<long>()];
    }

    /// <summary>True when an <c>If-None-Match</c> header names the current version (weak comparison, as RFC 9110 wants for GET).</summary>
    public static bool MatchesIfNoneMatch(string? header, long version)
    {
        if (string.IsNullOrWhiteSpace(header) || !EntityTagHeaderValue.TryParseList([header], out var tags))
        {
            return false;
        }

        return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || TryReadVersion(t.Tag.Value) == version);
    }

    private static long? TryReadVersion(string? quoted) =>
        quoted is { Length: > 2 } && long.TryParse(quoted.AsSpan(1, quoted.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : null;
}
