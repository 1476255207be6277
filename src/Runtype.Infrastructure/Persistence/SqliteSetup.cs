using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Runtype.Infrastructure.Persistence;

/// <summary>
/// SQLite as the embedded database: the file's folder is created, the journal is WAL (readers never block the
/// writer), and every connection uses <c>synchronous=NORMAL</c>, which in WAL mode survives a process crash
/// (a committed transaction is in the WAL file before the call returns) and waits for a busy writer.
/// </summary>
/// <remarks>
/// Only the migrator may create the database file (<c>Mode=ReadWriteCreate</c>). The serving connections open it
/// with <c>Mode=ReadWrite</c>: were the file moved or deleted while the service runs, a new connection with the
/// default mode would silently create an empty database beside the real one, and every call would then fail on a
/// missing table (a 500) or, worse, write into the wrong file. With <c>ReadWrite</c> the open fails
/// (<c>SQLITE_CANTOPEN</c>) and the call is a 503 until the file is back.
/// </remarks>
internal static class SqliteSetup
{
    /// <summary>
    /// Seconds a statement waits for a lock another connection holds (a writer of another process, a long
    /// checkpoint) before it fails with <c>SQLITE_BUSY</c>, answered as 503 with <c>Retry-After</c>. Microsoft.Data.Sqlite
    /// waits 30 s by default; an explicit <c>Default Timeout</c> in the connection string wins over this.
    /// </summary>
    public const int DefaultBusyTimeoutSeconds = 5;

    private const int DriverDefaultTimeoutSeconds = 30;

    /// <summary>The serving and the migration connection strings, and the database file's full path.</summary>
    public static (string Serving, string Migration, string? FilePath) Prepare(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        string? filePath = null;
        if (builder.Mode != SqliteOpenMode.Memory && !string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:")
        {
            filePath = Path.GetFullPath(builder.DataSource);
            Directory.CreateDirectory(Path.GetDirectoryName(filePath)!);
            builder.DataSource = filePath;
        }

        if (builder.DefaultTimeout == DriverDefaultTimeoutSeconds)
        {
            builder.DefaultTimeout = DefaultBusyTimeoutSeconds;
        }

        var migration = builder.ToString();
        if (filePath is not null && builder.Mode == SqliteOpenMode.ReadWriteCreate)
        {
            builder.Mode = SqliteOpenMode.ReadWrite;
        }

        return (builder.ToString(), migration, filePath);
    }

    /// <summary>Switches the database file to WAL; the setting is stored in the file.</summary>
    public static void EnableWriteAheadLog(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }
}

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
    public static async Task ApplyAsync(DbConnection connection, CancellationToken cancellationToken)
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
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
            Configured.AddOrUpdate(handle, handle);
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (NeedsPragmas(connection, out var handle))
        {
            await ApplyAsync(connection, cancellationToken);
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
