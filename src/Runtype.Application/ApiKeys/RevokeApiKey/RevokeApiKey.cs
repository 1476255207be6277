using Mediator;
using Runtype.Application.Common;

namespace Runtype.Application.ApiKeys.RevokeApiKey;

/// <summary>Revokes a key: the next request that presents it is refused. Revoking twice is harmless.</summary>
public sealed record RevokeApiKey(string KeyId) : ICommand<ApiKeyDto>;

public sealed class RevokeApiKeyHandler(IApiKeyRepository keys, TimeProvider clock) : ICommandHandler<RevokeApiKey, ApiKeyDto>
{
    public async ValueTask<ApiKeyDto> Handle(RevokeApiKey command, CancellationToken cancellationToken)
    {
        var key = await keys.FindAsync(command.KeyId, cancellationToken) ?? throw new NotFoundException("API key", command.KeyId);
        if (key.Revoke(clock.GetUtcNow()))
        {
            await keys.SaveChangesAsync(cancellationToken);
        }

        return key.ToDto();
    }
}
