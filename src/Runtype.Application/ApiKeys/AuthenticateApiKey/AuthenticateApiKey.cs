using Mediator;
using Runtype.Domain.ApiKeys;
using Runtype.Domain.Common;

namespace Runtype.Application.ApiKeys.AuthenticateApiKey;

/// <summary>
/// Resolves a presented key: one indexed lookup by its id part, a constant-time hash comparison, and a
/// lastUsedAt update at most once a minute, stored in the background (<see cref="IApiKeyUseRecorder"/>). Null for anything
/// unknown, malformed or revoked.
/// </summary>
public sealed record AuthenticateApiKey(string PresentedKey) : IQuery<ApiKeyIdentity?>;

public sealed class AuthenticateApiKeyHandler(IApiKeyRepository keys, IApiKeyUseRecorder uses, TimeProvider clock) : IQueryHandler<AuthenticateApiKey, ApiKeyIdentity?>
{
    public async ValueTask<ApiKeyIdentity?> Handle(AuthenticateApiKey query, CancellationToken cancellationToken)
    {
        var id = ApiKey.TryReadId(query.PresentedKey);
        if (id is null)
        {
            return null;
        }

        var key = await keys.GetAsync(id, cancellationToken);
        if (key is null || key.IsRevoked || !key.Matches(query.PresentedKey))
        {
            return null;
        }

        var now = clock.GetUtcNow();
        if (key.ShouldRecordUse(now))
        {
            uses.Record(key.Id, UtcTimestamp.From(now));
        }

        return key.ToIdentity();
    }
}
