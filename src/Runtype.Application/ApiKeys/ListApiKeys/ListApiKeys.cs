using Mediator;

namespace Runtype.Application.ApiKeys.ListApiKeys;

/// <summary>Every key, or one user's keys, oldest first. Never the secrets.</summary>
public sealed record ListApiKeys(string? UserId) : IQuery<IReadOnlyList<ApiKeyDto>>;

public sealed class ListApiKeysHandler(IApiKeyRepository keys) : IQueryHandler<ListApiKeys, IReadOnlyList<ApiKeyDto>>
{
    public async ValueTask<IReadOnlyList<ApiKeyDto>> Handle(ListApiKeys query, CancellationToken cancellationToken)
    {
        var found = await keys.ListAsync(query.UserId, cancellationToken);
        return [.. found.Select(k => k.ToDto())];
    }
}
