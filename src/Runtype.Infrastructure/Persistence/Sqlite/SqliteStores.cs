using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Sessions;

namespace Runtype.Infrastructure.Persistence.Sqlite;

/// <summary>
/// A SQLite write waits for this process's turn first (<see cref="SqliteWriteGate"/>); its transaction then begins
/// <c>IMMEDIATE</c> (Microsoft.Data.Sqlite's default), taking the database's write lock at once: writers are serialized,
/// so the read for a change inside the transaction already sees the latest committed row and needs no row lock.
/// </summary>
internal sealed class SqliteUnitOfWork(RuntypeDbContext db, SqliteWriteGate gate) : UnitOfWork(db)
{
    protected override async ValueTask<IDisposable?> EnterWriteTurnAsync(CancellationToken cancellationToken) =>
        await gate.EnterAsync((SqliteConnection)Db.Database.GetDbConnection(), cancellationToken);
}

/// <summary>
/// A call's connection (or a <see cref="DatabaseScope"/>'s) is lent from <see cref="SqliteConnectionLeases"/>: it stays
/// open between calls and keeps the statements it has compiled (ADR 0005); no thread-pool thread opens one (ADR 0009).
/// </summary>
internal sealed class SqliteCallConnection(RuntypeDbContext db, SqliteConnectionLeases leases, SqliteDatabase database) : CallConnection(db)
{
    public override async Task<IAsyncDisposable> HoldOpenAsync(CancellationToken cancellationToken)
    {
        var connection = await leases.RentAsync(cancellationToken);
        try
        {
            Db.Database.SetDbConnection(connection, contextOwnsConnection: false);
        }
        catch
        {
            leases.Return(connection);
            throw;
        }

        return new Lease(Db, leases, connection, database.ConnectionString);
    }

    private sealed class Lease(RuntypeDbContext db, SqliteConnectionLeases leases, StatementCachingSqliteConnection connection, string connectionString)
        : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            // The context goes back to making its own connections, from the serving connection string (which setting a
            // connection object cleared).
            db.Database.SetDbConnection(null, contextOwnsConnection: true);
            db.Database.SetConnectionString(connectionString);
            leases.Return(connection);
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>
/// A page of one status walks the owner-status-newest index (<c>INDEXED BY</c>) until the page is full. Without
/// statistics SQLite prefers the sweeper's (status, expires_at, user_id) index for the <c>expires_at &gt; now</c> term,
/// reads every session of that status of every user and sorts them: 3 requests/s instead of thousands with a million
/// sessions in the table (docs/performance.md).
/// </summary>
internal sealed class SqliteSessionQueries(RuntypeDbContext db) : SessionQueries(db)
{
    protected override IQueryable<Session> SessionsForStatusPage =>
        Db.Sessions.FromSql($"SELECT * FROM \"sessions\" INDEXED BY \"ix_sessions_user_status_created\"");
}

/// <summary>
/// The migrator may create the database file (the serving connections may not, <see cref="SqliteDatabase"/>), and
/// switches the journal to WAL once the schema is there (the setting is stored in the file).
/// </summary>
internal sealed class SqliteDatabaseMigrator(RuntypeDbContext db, SqliteDatabase database) : DatabaseMigrator(db)
{
    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        // The context is pooled: it goes back to serving with the serving connection string.
        Db.Database.SetConnectionString(database.MigrationConnectionString);
        try
        {
            await base.MigrateAsync(cancellationToken);
        }
        finally
        {
            await Db.Database.CloseConnectionAsync();
            Db.Database.SetConnectionString(database.ConnectionString);
        }

        await using var connection = new SqliteConnection(database.MigrationConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>SQLite's "not now": busy, locked, out of memory, read-only, I/O error, corrupt, full, cannot open, not a database.</summary>
internal sealed class SqliteDatabaseFailures : DatabaseFailures
{
    // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB
    private static readonly int[] UnavailableCodes = [5, 6, 7, 8, 10, 11, 13, 14, 26];

    protected override bool IsUnavailableError(Exception exception) =>
        exception is SqliteException sqlite && Array.IndexOf(UnavailableCodes, sqlite.SqliteErrorCode & 0xFF) >= 0;
}
