using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Runtype.Application.Common;

namespace Runtype.Infrastructure.Persistence;

/// <summary>
/// One transaction per command, inside the provider's execution strategy (SQL Server retries transient faults
/// there). Writers of one session queue rather than conflict (SQLite: the process's writers take turns in
/// <see cref="SqliteWriteGate"/>, and the transaction is <c>BEGIN IMMEDIATE</c>; SQL Server: the session is read with
/// an update lock). Should a save still meet a stale concurrency token (or a concurrent first use of an idempotency
/// key), the whole command runs again on fresh state, a bounded number of times.
/// </summary>
internal sealed class UnitOfWork(RuntypeDbContext db, SqliteWriteGate gate) : IUnitOfWork
{
    internal const int MaxAttempts = 8;

    public async Task<T> InTransactionAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var turn = await gate.EnterAsync(cancellationToken);
                using var lockWait = BoundLockWait(turn);
                var strategy = db.Database.CreateExecutionStrategy();
                return await strategy.ExecuteAsync(
                    (db, work),
                    static async (_, state, ct) =>
                    {
                        state.db.ChangeTracker.Clear();
                        await using var transaction = await state.db.Database.BeginTransactionAsync(ct);
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

    /// <summary>On SQLite, what is left of the busy timeout after the turn's wait is what BEGIN IMMEDIATE may wait for the lock.</summary>
    private LockWait BoundLockWait(SqliteWriteGate.Turn turn)
    {
        if (!gate.Enabled || db.Database.GetDbConnection() is not SqliteConnection connection)
        {
            return default;
        }

        var original = connection.DefaultTimeout;
        connection.DefaultTimeout = Math.Clamp((int)Math.Ceiling(turn.Remaining.TotalSeconds), 1, original);
        return new LockWait(connection, original);
    }

    private readonly struct LockWait(SqliteConnection? connection, int original) : IDisposable
    {
        public void Dispose()
        {
            if (connection is not null)
            {
                connection.DefaultTimeout = original;
            }
        }
    }
}
