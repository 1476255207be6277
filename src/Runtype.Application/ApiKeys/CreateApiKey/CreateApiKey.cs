using Mediator;
using Runtype.Domain.ApiKeys;

namespace Runtype.Application.ApiKeys.CreateApiKey;

/// <summary>
/// Issues a key for a user. The plain text is returned once and never stored. An empty organization id means none
/// (<c>keys create --org ''</c>), stored as null like an absent one, never as "".
/// </summary>
public sealed record CreateApiKey(string UserId, string? OrganizationId, string? Name, IReadOnlyList<string> Scopes) : ICommand<CreatedApiKey>;

public sealed class CreateApiKeyHandler(IApiKeyRepository keys, TimeProvider clock) : ICommandHandler<CreateApiKey, CreatedApiKey>
{
    public async ValueTask<CreatedApiKey> Handle(CreateApiKey command, CancellationToken cancellationToken)
    {
        var organizationId = string.IsNullOrEmpty(command.OrganizationId) ? null : command.OrganizationId;
        var (key, plainText) = ApiKey.Issue(command.UserId, organizationId, command.Name, command.Scopes, clock.GetUtcNow());
        keys.Add(key);
        await keys.SaveChangesAsync(cancellationToken);
        return new CreatedApiKey(key.ToDto(), plainText);
    }
}
