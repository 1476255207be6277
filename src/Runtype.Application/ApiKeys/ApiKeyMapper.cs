using Riok.Mapperly.Abstractions;
using Runtype.Domain.ApiKeys;

namespace Runtype.Application.ApiKeys;

[Mapper]
public static partial class ApiKeyMapper
{
    [MapProperty(nameof(ApiKey.ScopeList), nameof(ApiKeyDto.Scopes))]
    [MapperIgnoreSource(nameof(ApiKey.Scopes))]
    [MapperIgnoreSource(nameof(ApiKey.SecretHash))]
    [MapperIgnoreSource(nameof(ApiKey.IsRevoked))]
    public static partial ApiKeyDto ToDto(this ApiKey key);

    [MapProperty(nameof(ApiKey.Id), nameof(ApiKeyIdentity.KeyId))]
    [MapProperty(nameof(ApiKey.ScopeList), nameof(ApiKeyIdentity.Scopes))]
    [MapperIgnoreSource(nameof(ApiKey.Name))]
    [MapperIgnoreSource(nameof(ApiKey.Scopes))]
    [MapperIgnoreSource(nameof(ApiKey.SecretHash))]
    [MapperIgnoreSource(nameof(ApiKey.IsRevoked))]
    [MapperIgnoreSource(nameof(ApiKey.CreatedAt))]
    [MapperIgnoreSource(nameof(ApiKey.LastUsedAt))]
    [MapperIgnoreSource(nameof(ApiKey.RevokedAt))]
    public static partial ApiKeyIdentity ToIdentity(this ApiKey key);
}
