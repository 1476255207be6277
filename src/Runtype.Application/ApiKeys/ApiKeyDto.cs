namespace Runtype.Application.ApiKeys;

/// <summary>An API key as listed: never its secret.</summary>
public sealed record ApiKeyDto(
    string Id,
    string UserId,
    string? OrganizationId,
    string Name,
    IReadOnlyList<string> Scopes,
    DateTime CreatedAt,
    DateTime? LastUsedAt,
    DateTime? RevokedAt);

/// <summary>A new key with the only copy of its plain text.</summary>
public sealed record CreatedApiKey(ApiKeyDto Key, string PlainText);

/// <summary>Who a valid key acts for, and what it may do.</summary>
public sealed record ApiKeyIdentity(string KeyId, string UserId, string? OrganizationId, IReadOnlyList<string> Scopes);
