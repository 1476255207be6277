using Microsoft.Data.Sqlite;

namespace Runtype.Infrastructure.Persistence;

/// <summary>
/// SQLite lets one connection write at a time, and Microsoft.Data.Sqlite waits for the write lock by sleeping on a
/// thread-pool thread. Writers of this process therefore queue here first, asynchronously (holding no thread), and
/// only the one whose turn it is waits on the file's lock. The whole wait, queue and lock, is bounded by the busy
/// timeout: past it the write fails with <c>SQLITE_BUSY</c> (a 503 with <c>Retry-After</c>) and nothing is changed.
/// </summary>
/// <remarks>
/// Without it, a lock held by another process (a second replica, a backup, an administrator's shell) parks one
/// thread per waiting request for the whole timeout; on a small machine the pool starves and every other call,
/// health checks included, waits behind them. On SQL Server the gate does nothing (writers of different sessions run
/// in parallel there).
/// </remarks>
internal sealed class SqliteWriteGate(DatabaseOptions options) : IDisposable
{
    private const int SqliteBusy = 5;

    private readonly SemaphoreSlim _turn = new(1, 1);

    public bool Enabled => options.Provider == DatabaseProvider.Sqlite;

    /// <summary>The longest a write waits, for its turn and then for the lock together.</summary>
    public TimeSpan Timeout { get; } = options.Provider == DatabaseProvider.Sqlite
        ? TimeSpan.FromSeconds(new SqliteConnectionStringBuilder(options.ConnectionString).DefaultTimeout)
        : System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>Waits for this process's turn to write; the result releases it and tells how long the lock may still be awaited.</summary>
    public async Task<Turn> EnterAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return new Turn(null, System.Threading.Timeout.InfiniteTimeSpan);
        }

        var timeout = Timeout;
        var started = TimeProvider.System.GetTimestamp();
        if (!await _turn.WaitAsync(timeout, cancellationToken))
        {
            throw new SqliteException($"database is locked: no turn to write within {timeout.TotalSeconds:0} s", SqliteBusy);
        }

        return new Turn(_turn, timeout - TimeProvider.System.GetElapsedTime(started));
    }

    public void Dispose() => _turn.Dispose();

    /// <summary>A turn to write; disposing it lets the next writer in.</summary>
    public readonly struct Turn(SemaphoreSlim? gate, TimeSpan remaining) : IDisposable
    {
        /// <summary>How long the write may still wait for the database's lock.</summary>
        public TimeSpan Remaining { get; } = remaining;

        public void Dispose() => gate?.Release();
    }
}
