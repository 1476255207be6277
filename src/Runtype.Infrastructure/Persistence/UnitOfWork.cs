using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Runtype.Application.Common;

namespace Runtype.Infrastructure.Persistence;

/// <summary>
/// One transaction per command, inside the provider's execution strategy (which retries transient faults where the
/// provider has them). Writers of one session queue rather than conflict: each provider's read for a change takes the
/// row's lock, or (SQLite) the transaction holds the database's write lock from its start. Should a save still meet a
/// stale concurrency token (or a concurrent first use of an idempotency key), the whole command runs again on fresh
/// state, a bounded number of times.
/// </summary>
internal class UnitOfWork(RuntypeDbContext db) : IUnitOfWork
{
    internal const int MaxAttempts = 8;

    protected RuntypeDbContext Db => db;

    public async Task<T> InTransactionAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var turn = await EnterWriteTurnAsync(cancellationToken);
                var strategy = db.Database.CreateExecutionStrategy();
                return await strategy.ExecuteAsync(
                    (db, work),
                    static async (_, state, ct) =>
                    {
                        state.db.ChangeTracker.Clear();

                        // A failed save fails the unit, which is rerun whole on fresh state (below): no save needs a
                        // savepoint to recover to. EF Core would otherwise wrap every SaveChanges in SAVEPOINT and
                        // RELEASE SAVEPOINT (two more statements, and on PostgreSQL a subtransaction for the writes).
                        state.db.Database.AutoSavepointsEnabled = false;
                        await using var transaction = await BeginAsync(state.db, ct);
                        var result = await state.work(ct);
                        await transaction.CommitAsync(ct);
                        return result;
                    },
                    verifySucceeded: null,
                    cancellationToken);
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                db.ChangeTracker.Clear();
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Begins the transaction. EF Core opens the connection for it and, when the BEGIN itself fails (SQLite's lock held
    /// by another process past the busy timeout, a lost server connection), leaves it counted as open: the pooled
    /// context would then refuse every connection it is lent later ("the instance of DbConnection is currently in
    /// use"). The failed open is closed here, so the context goes back to its pool as it came.
    /// </summary>
    private static async Task<IDbContextTransaction> BeginAsync(RuntypeDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            return await db.Database.BeginTransactionAsync(cancellationToken);
        }
        catch
        {
            await db.Database.CloseConnectionAsync();
            throw;
        }
    }

    /// <summary>What a write waits for before its transaction begins, released when it ends; nothing by default.</summary>
    protected virtual ValueTask<IDisposable?> EnterWriteTurnAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(null);
}
