using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Runtype.Infrastructure.Persistence.Sqlite;

/// <summary>
/// Open SQLite connections lent to API calls and to the work outside them (<see cref="DatabaseScope"/>), one per call or
/// scope (<see cref="SqliteCallConnection"/>), and kept open between calls, so that the statements each one has compiled
/// are reused (<see cref="StatementCachingSqliteConnection"/>). Microsoft.Data.Sqlite pools the native connections too,
/// but closing a connection object finalizes its statements.
/// </summary>
/// <remarks>
/// <para>
/// A call never opens a connection itself. Opening one is I/O that may hang while the storage stalls (on a frozen
/// file system the first statement of a new connection blocks, uninterruptibly, until the thaw), and Microsoft.Data.Sqlite
/// does it synchronously, on the caller's thread. So connections are opened one at a time on a thread of their own, and
/// always one ahead of need: when a loan leaves none idle, the next is opened for the call after. A call that finds none
/// idle waits, asynchronously, for one to come back or to be opened, at most the busy timeout; past it the call fails
/// with <c>SQLITE_BUSY</c> (a 503). An open that fails fails the calls waiting for it. A stalled open thus holds one
/// thread that is not the thread pool's, and no call: the calls go on with the connections already open.
/// </para>
/// <para>
/// A connection comes back only clean (no transaction open, no reader left unread); anything else, and anything
/// beyond <see cref="MaxIdle"/> idle connections, is closed instead. Like every open of a serving connection, a lease
/// first checks that the database file is still at its path (see <see cref="SqlitePragmas"/>): if it is not, the idle
/// connections, which still hold the old file, are closed and the call fails with <c>SQLITE_CANTOPEN</c> (a 503).
/// </para>
/// </remarks>
internal sealed class SqliteConnectionLeases(SqliteDatabase database) : IDisposable
{
    /// <summary>Idle connections kept; more than the calls that run at once at the busiest.</summary>
    internal const int MaxIdle = 64;

    private const int SqliteBusy = 5;

    private readonly ConcurrentStack<StatementCachingSqliteConnection> _idle = new();

    /// <summary>Counts the idle connections: released after a push, taken before a pop (so a pop after a take never misses).</summary>
    private readonly SemaphoreSlim _available = new(0, int.MaxValue);

    private readonly Lock _openingLock = new();
    private Task? _opening;
    private bool _openInFlight;
    private volatile bool _disposed;

    /// <summary>The longest a call waits for a connection: the busy timeout.</summary>
    internal TimeSpan Timeout { get; } = TimeSpan.FromSeconds(new SqliteConnectionStringBuilder(database.ConnectionString).DefaultTimeout);

    internal int IdleCount => _available.CurrentCount;

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

        if (!_available.Wait(0) && !await WaitForOneAsync(cancellationToken))
        {
            throw new SqliteException($"database is busy: no connection within {Timeout.TotalSeconds:0} s", SqliteBusy);
        }

        _idle.TryPop(out var connection);
        if (_available.CurrentCount == 0)
        {
            _ = StartOpening(); // the next call finds one ready
        }

        return connection!;
    }

    public void Return(StatementCachingSqliteConnection connection)
    {
        if (_disposed || !connection.IsClean() || _available.CurrentCount >= MaxIdle)
        {
            connection.Dispose();
            return;
        }

        _idle.Push(connection);
        _available.Release();
        if (_disposed)
        {
            Clear();
        }
    }

    /// <summary>Closes every idle connection (the file moved, or the host stops).</summary>
    public void Clear()
    {
        while (_available.Wait(0))
        {
            _idle.TryPop(out var connection);
            connection!.Dispose();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        Clear();
    }

    /// <summary>
    /// Waits for an idle connection (taking its count) while one is being opened; false after the busy timeout. Throws
    /// what the open failed with, unless a connection came back meanwhile.
    /// </summary>
    private async Task<bool> WaitForOneAsync(CancellationToken cancellationToken)
    {
        var opening = StartOpening();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var available = _available.WaitAsync(Timeout, stop.Token);
        if (await Task.WhenAny(available, opening) == available || !opening.IsFaulted)
        {
            return await available;
        }

        await stop.CancelAsync();
        try
        {
            if (await available)
            {
                return true;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        await opening; // throws the open's failure
        return false;
    }

    /// <summary>The open in flight, or a new one: on a thread of its own, its connection added to the idle ones.</summary>
    private Task StartOpening()
    {
        lock (_openingLock)
        {
            if (_openInFlight)
            {
                return _opening!;
            }

            _openInFlight = true;
            var opening = Task.Factory.StartNew(Open, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            _ = opening.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            _opening = opening;
            return opening;
        }
    }

    private void Open()
    {
        StatementCachingSqliteConnection? connection = null;
        try
        {
            if (_disposed)
            {
                return;
            }

            connection = new StatementCachingSqliteConnection(database.ConnectionString);
            connection.Open();
            SqlitePragmas.Apply(connection);
        }
        catch
        {
            connection?.Dispose();
            throw;
        }
        finally
        {
            // Over before its connection is lent: the call that takes it and leaves none idle starts the next open
            // (were this one still counted in flight, that call would wait on it, and the calls behind it on nothing).
            lock (_openingLock)
            {
                _openInFlight = false;
            }
        }

        Return(connection);
    }
}
