using Microsoft.Data.Sqlite;

namespace Runtype.Infrastructure.Persistence.Sqlite;

/// <summary>
/// SQLite lets one connection write at a time, and Microsoft.Data.Sqlite waits for the write lock by sleeping on a
/// thread-pool thread. Writers of this process therefore queue here first, asynchronously (holding no thread), and
/// only the one whose turn it is waits on the file's lock. The whole wait, queue and lock, is bounded by the busy
/// timeout: past it the write fails with <c>SQLITE_BUSY</c> (a 503 with <c>Retry-After</c>) and nothing is changed.
/// </summary>
/// <remarks>
/// Without it, a lock held by another process (a second replica, a backup, an administrator's shell) parks one
/// thread per waiting request for the whole timeout; on a small machine the pool starves and every other call,
/// health checks included, waits behind them.
/// </remarks>
internal sealed class SqliteWriteGate(SqliteDatabase database) : IDisposable
{
    private const int SqliteBusy = 5;

    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>The longest a write waits, for its turn and then for the lock together.</summary>
    public TimeSpan Timeout { get; } = TimeSpan.FromSeconds(new SqliteConnectionStringBuilder(database.ConnectionString).DefaultTimeout);

    /// <summary>
    /// Waits for this process's turn to write on <paramref name="connection"/>; until the turn is disposed, the
    /// connection waits for the database's lock (<c>BEGIN IMMEDIATE</c>) only as long as is left of the timeout.
    /// </summary>
    public async Task<IDisposable> EnterAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        if (!await _turn.WaitAsync(Timeout, cancellationToken))
        {
            throw new SqliteException($"database is locked: no turn to write within {Timeout.TotalSeconds:0} s", SqliteBusy);
        }

        var remaining = Timeout - TimeProvider.System.GetElapsedTime(started);
        return new Turn(_turn, connection, Math.Clamp((int)Math.Ceiling(remaining.TotalSeconds), 1, connection.DefaultTimeout));
    }

    public void Dispose() => _turn.Dispose();

    /// <summary>A turn to write; disposing it restores the connection's lock wait and lets the next writer in.</summary>
    private sealed class Turn : IDisposable
    {
        private readonly SemaphoreSlim _gate;
        private readonly SqliteConnection _connection;
        private readonly int _originalTimeout;
        private int _disposed;

        public Turn(SemaphoreSlim gate, SqliteConnection connection, int lockWaitSeconds)
        {
            _gate = gate;
            _connection = connection;
            _originalTimeout = connection.DefaultTimeout;
            connection.DefaultTimeout = lockWaitSeconds;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _connection.DefaultTimeout = _originalTimeout;
                _gate.Release();
            }
        }
    }
}
