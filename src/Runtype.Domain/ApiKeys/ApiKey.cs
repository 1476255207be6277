using System.Security.Cryptography;
using System.Text;
using Runtype.Domain.Common;

namespace Runtype.Domain.ApiKeys;

/// <summary>
/// An API key. The secret is shown once, when created; only its SHA-256 is stored. A key reads
/// <c>rt_&lt;id&gt;_&lt;secret&gt;</c>: the id (16 hex digits, not secret) finds the row by index, the hash of the whole
/// key is then compared in constant time.
/// </summary>
public sealed class ApiKey
{
    public const string Prefix = "rt_";
    public const int IdLength = 16;
    public const int NameLength = 100;
    public const int ScopesLength = 200;
    public const int SecretBytes = 32;

    /// <summary>How stale <see cref="LastUsedAt"/> may get before a request records a new use.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private ApiKey()
    {
        Id = null!;
        UserId = null!;
        Name = null!;
        Scopes = null!;
        SecretHash = null!;
    }

    private ApiKey(string id, string userId, string? organizationId, string name, IReadOnlyCollection<string> scopes, byte[] secretHash, DateTime createdAt)
    {
        Id = id;
        UserId = userId;
        OrganizationId = organizationId;
        Name = name;
        Scopes = string.Join(' ', scopes);
        SecretHash = secretHash;
        CreatedAt = createdAt;
    }

    public string Id { get; private set; }

    public string UserId { get; private set; }

    public string? OrganizationId { get; private set; }

    public string Name { get; private set; }

    /// <summary>Space-separated scope names.</summary>
    public string Scopes { get; private set; }

    public byte[] SecretHash { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public DateTime? LastUsedAt { get; private set; }

    public DateTime? RevokedAt { get; private set; }

    public bool IsRevoked => RevokedAt is not null;

    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Creates a key; returns it with the only copy of its plain-text form.</summary>
    public static (ApiKey Key, string PlainText) Issue(string userId, string? organizationId, string? name, IReadOnlyCollection<string> scopes, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        if (scopes.Count == 0 || scopes.Any(s => !ApiKeyScopes.IsKnown(s)))
        {
            throw new ArgumentException($"Scopes must be a non-empty subset of: {string.Join(", ", ApiKeyScopes.All)}.", nameof(scopes));
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(SecretBytes));
        var plainText = $"{Prefix}{id}_{secret}";
        var key = new ApiKey(id, userId, organizationId, string.IsNullOrWhiteSpace(name) ? "unnamed" : name.Trim(), [.. scopes.Distinct()], HashOf(plainText), UtcTimestamp.From(now));
        return (key, plainText);
    }

    /// <summary>Extracts the id part of a presented key, or null when the text cannot be one of our keys.</summary>
    public static string? TryReadId(string presented)
    {
        if (presented.Length < Prefix.Length + IdLength + 2
            || !presented.StartsWith(Prefix, StringComparison.Ordinal)
            || presented[Prefix.Length + IdLength] != '_')
        {
            return null;
        }

        var id = presented.Substring(Prefix.Length, IdLength);
        return id.All(char.IsAsciiHexDigitLower) ? id : null;
    }

    /// <summary>Constant-time comparison of a presented key with the stored hash.</summary>
    public bool Matches(string presented) => CryptographicOperations.FixedTimeEquals(HashOf(presented), SecretHash);

    public bool HasScope(string scope) => ScopeList.Contains(scope, StringComparer.Ordinal);

    public bool Revoke(DateTimeOffset now)
    {
        if (IsRevoked)
        {
            return false;
        }

        RevokedAt = UtcTimestamp.From(now);
        return true;
    }

    /// <summary>True when a use at <paramref name="now"/> should be recorded (at most once per <see cref="LastUsedResolution"/>).</summary>
    public bool ShouldRecordUse(DateTimeOffset now) => LastUsedAt is null || now.UtcDateTime - LastUsedAt.Value >= LastUsedResolution;

    private static byte[] HashOf(string presented) => SHA256.HashData(Encoding.UTF8.GetBytes(presented));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
