using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Runtype.Infrastructure.Persistence.Sqlite;

/// <summary>
/// Open SQLite connections lent to API calls, one per call (<see cref="SqliteCallConnection"/>), and kept open between
/// calls, so that the statements each one has compiled are reused (<see cref="StatementCachingSqliteConnection"/>).
/// Microsoft.Data.Sqlite pools the native connections too, but closing a connection object finalizes its statements.
/// </summary>
/// <remarks>
/// A connection comes back only clean (no transaction open, no reader left unread); anything else, and anything
/// beyond <see cref="MaxIdle"/> idle connections, is closed instead. Like every open of a serving connection, a lease
/// first checks that the database file is still at its path (see <see cref="SqlitePragmas"/>): if it is not, the idle
/// connections, which still hold the old file, are closed and the call fails with <c>SQLITE_CANTOPEN</c> (a 503).
/// </remarks>
internal sealed class SqliteConnectionLeases(SqliteDatabase database) : IDisposable
{
    /// <summary>Idle connections kept; more than the calls that run at once at the busiest.</summary>
    internal const int MaxIdle = 64;

    private readonly ConcurrentStack<StatementCachingSqliteConnection> _idle = new();
    private int _idleCount;
    private volatile bool _disposed;

    internal int IdleCount => Volatile.Read(ref _idleCount);

    public async Task<StatementCachingSqliteConnection> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (database.FilePath is { } path && !File.Exists(path))
        {
            using var sameFile = new SqliteConnection(database.ConnectionString);
            SqliteConnection.ClearPool(sameFile); // first, so that the idle connections closed next are not pooled again
            Clear();
            throw SqlitePragmas.FileMissing(path);
        }

        if (_idle.TryPop(out var idle))
        {
            Interlocked.Decrement(ref _idleCount);
            return idle;
        }

        var connection = new StatementCachingSqliteConnection(database.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await SqlitePragmas.ApplyAsync(connection, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public void Return(StatementCachingSqliteConnection connection)
    {
        if (_disposed || !connection.IsClean())
        {
            connection.Dispose();
            return;
        }

        if (Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            connection.Dispose();
            return;
        }

        _idle.Push(connection);
        if (_disposed)
        {
            Clear();
        }
    }

    /// <summary>Closes every idle connection (the file moved, or the host stops).</summary>
    public void Clear()
    {
        while (_idle.TryPop(out var connection))
        {
            Interlocked.Decrement(ref _idleCount);
            connection.Dispose();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        Clear();
    }
}
