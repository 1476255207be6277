using Mediator;
using Runtype.Domain.ApiKeys;

namespace Runtype.Application.ApiKeys.CreateApiKey;

/// <summary>Issues a key for a user. The plain text is returned once and never stored.</summary>
public sealed record CreateApiKey(string UserId, string? OrganizationId, string? Name, IReadOnlyList<string> Scopes) : ICommand<CreatedApiKey>;

public sealed class CreateApiKeyHandler(IApiKeyRepository keys, TimeProvider clock) : ICommandHandler<CreateApiKey, CreatedApiKey>
{
    public async ValueTask<CreatedApiKey> Handle(CreateApiKey command, CancellationToken cancellationToken)
    {
        var (key, plainText) = ApiKey.Issue(command.UserId, command.OrganizationId, command.Name, command.Scopes, clock.GetUtcNow());
        keys.Add(key);
        await keys.SaveChangesAsync(cancellationToken);
        return new CreatedApiKey(key.ToDto(), plainText);
    }
}
