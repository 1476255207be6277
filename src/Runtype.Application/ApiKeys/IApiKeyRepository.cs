using Runtype.Domain.ApiKeys;

namespace Runtype.Application.ApiKeys;

public interface IApiKeyRepository
{
    /// <summary>A key by its id, tracked for a change.</summary>
    Task<ApiKey?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>A key by its id, read-only: the one indexed lookup of an authenticated request.</summary>
    Task<ApiKey?> GetAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiKey>> ListAsync(string? userId, CancellationToken cancellationToken);

    void Add(ApiKey key);

    Task SaveChangesAsync(CancellationToken cancellationToken);

    /// <summary>Sets lastUsedAt in one statement, only when the stored value is older than the resolution (a cheap, idempotent write).</summary>
    Task RecordUseAsync(string id, DateTime usedAt, CancellationToken cancellationToken);
}
