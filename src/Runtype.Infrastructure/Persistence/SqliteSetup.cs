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
internal static class SqliteSetup
{
    public static string Prepare(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode != SqliteOpenMode.Memory && !string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:")
        {
            var path = Path.GetFullPath(builder.DataSource);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            builder.DataSource = path;
        }

        if (builder.DefaultTimeout == 30)
        {
            builder.DefaultTimeout = 15;
        }

        return builder.ToString();
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
/// Per-connection pragmas. They belong to the native connection, which Microsoft.Data.Sqlite pools and hands out again
/// on every open: they run the first time a native connection is opened, not on every open of a pooled one.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";

    private static readonly ConditionalWeakTable<object, object> Configured = [];

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
            await using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
            Configured.AddOrUpdate(handle, handle);
        }
    }

    private static bool NeedsPragmas(DbConnection connection, out object handle)
    {
        handle = (connection as SqliteConnection)?.Handle ?? (object)connection;
        return !Configured.TryGetValue(handle, out _);
    }
}
