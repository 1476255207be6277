using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Runtype.Infrastructure.Persistence.Sqlite;

/// <summary>
/// Runs when a connection is opened, new or from the pool: before, checks that the database file is still where it
/// was; after, the first time a native connection is opened, sets the per-connection pragmas.
/// </summary>
/// <remarks>
/// A pooled connection keeps the file it first opened even after that file was deleted or moved away: SQLite would
/// go on reading and committing into a file nobody will ever open again, and those acknowledged writes would be lost.
/// So a file that is no longer at its path empties the pool and fails the open with <c>SQLITE_CANTOPEN</c> (a 503),
/// exactly like a new connection would; once the file is back, new connections open it again.
/// The pragmas belong to the native connection, which Microsoft.Data.Sqlite pools and hands out again on every
/// open: they keep their values there, so they run once per native connection, not on every open of a pooled one.
/// </remarks>
internal sealed class SqlitePragmas(string? filePath) : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
    private const int SqliteCantOpen = 14;

    private static readonly ConditionalWeakTable<object, object> Configured = [];

    public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        EnsureFileIsThere(connection);
        return result;
    }

    public override ValueTask<InterceptionResult> ConnectionOpeningAsync(
        DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        EnsureFileIsThere(connection);
        return ValueTask.FromResult(result);
    }

    /// <summary>The pragmas, here and on a connection this class does not see opened (<see cref="SqliteConnectionLeases"/>).</summary>
    public static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    private static async Task ApplyAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>What an open of a file that is no longer at its path fails with: SQLite's own <c>SQLITE_CANTOPEN</c>.</summary>
    public static SqliteException FileMissing(string filePath) =>
        new($"The database file '{filePath}' is missing; it may have been moved or deleted.", SqliteCantOpen);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (NeedsPragmas(connection, out var handle))
        {
            Apply(connection);
            Configured.AddOrUpdate(handle, handle);
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (NeedsPragmas(connection, out var handle))
        {
            // Not cancellable: the connection is open by now, and an open that "failed" here would leave it open while
            // EF Core counts it closed; a pooled context would then go back to the pool holding it. The two pragmas
            // take no lock and run in microseconds.
            await ApplyAsync(connection, CancellationToken.None);
            Configured.AddOrUpdate(handle, handle);
        }
    }

    private static bool NeedsPragmas(DbConnection connection, out object handle)
    {
        handle = (connection as SqliteConnection)?.Handle ?? (object)connection;
        return !Configured.TryGetValue(handle, out _);
    }

    private void EnsureFileIsThere(DbConnection connection)
    {
        if (filePath is null || File.Exists(filePath)
            || new SqliteConnectionStringBuilder(connection.ConnectionString).Mode == SqliteOpenMode.ReadWriteCreate)
        {
            return; // there, or the migrator's connection, which may create it
        }

        SqliteConnection.ClearPool((SqliteConnection)connection);
        throw FileMissing(filePath);
    }
}
