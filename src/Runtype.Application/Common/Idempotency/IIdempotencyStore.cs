namespace Runtype.Application.Common.Idempotency;

public interface IIdempotencyStore
{
    /// <summary>The record of a user's key, tracked; null when there is none.</summary>
    Task<IdempotencyRecord?> FindAsync(string userId, string key, CancellationToken cancellationToken);

    void Add(IdempotencyRecord record);

    /// <summary>Saves; a concurrent first use of the same key surfaces as a <see cref="ConcurrencyConflictException"/> (the unit of work then retries and replays).</summary>
    Task SaveChangesAsync(CancellationToken cancellationToken);

    /// <summary>Deletes records created before <paramref name="createdBefore"/>; returns how many.</summary>
    Task<int> PurgeAsync(DateTime createdBefore, CancellationToken cancellationToken);
}
