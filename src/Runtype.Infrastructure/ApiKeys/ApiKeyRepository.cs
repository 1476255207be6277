using Microsoft.EntityFrameworkCore;
using Runtype.Application.ApiKeys;
using Runtype.Domain.ApiKeys;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Infrastructure.ApiKeys;

internal sealed class ApiKeyRepository(RuntypeDbContext db) : IApiKeyRepository
{
    /// <summary>The key with this id, not tracked: every authenticated call looks its key up.</summary>
    private static readonly CompiledPerModel<Func<RuntypeDbContext, string, CancellationToken, Task<ApiKey?>>> ById = new(() =>
        EF.CompileAsyncQuery((RuntypeDbContext db, string id, CancellationToken _) => db.ApiKeys.AsNoTracking().FirstOrDefault(k => k.Id == id)));

    public Task<ApiKey?> FindAsync(string id, CancellationToken cancellationToken) =>
        db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, cancellationToken);

    public Task<ApiKey?> GetAsync(string id, CancellationToken cancellationToken) => ById.For(db)(db, id, cancellationToken);

    public async Task<IReadOnlyList<ApiKey>> ListAsync(string? userId, CancellationToken cancellationToken) =>
        await db.ApiKeys.AsNoTracking()
            .Where(k => userId == null || k.UserId == userId)
            .OrderBy(k => k.CreatedAt)
            .ThenBy(k => k.Id)
            .ToListAsync(cancellationToken);

    public void Add(ApiKey key) => db.ApiKeys.Add(key);

    public Task SaveChangesAsync(CancellationToken cancellationToken) => db.SaveChangesAsync(cancellationToken);

    public Task RecordUseAsync(string id, DateTime usedAt, CancellationToken cancellationToken)
    {
        var staleBefore = usedAt - ApiKey.LastUsedResolution;
        return db.ApiKeys
            .Where(k => k.Id == id && (k.LastUsedAt == null || k.LastUsedAt <= staleBefore))
            .ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, usedAt), cancellationToken);
    }
}
