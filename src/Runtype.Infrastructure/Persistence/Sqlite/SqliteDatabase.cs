using Microsoft.Data.Sqlite;

namespace Runtype.Infrastructure.Persistence.Sqlite;

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
/// <param name="ConnectionString">What the service serves with (never creates the file).</param>
/// <param name="MigrationConnectionString">What the migrator uses (may create the file).</param>
/// <param name="FilePath">The database file's full path; null for an in-memory database.</param>
internal sealed record SqliteDatabase(string ConnectionString, string MigrationConnectionString, string? FilePath)
{
    /// <summary>
    /// Seconds a statement waits for a lock another connection holds (a writer of another process, a long
    /// checkpoint) before it fails with <c>SQLITE_BUSY</c>, answered as 503 with <c>Retry-After</c>. Microsoft.Data.Sqlite
    /// waits 30 s by default; an explicit <c>Default Timeout</c> in the connection string wins over this.
    /// </summary>
    public const int DefaultBusyTimeoutSeconds = 5;

    private const int DriverDefaultTimeoutSeconds = 30;

    /// <summary>The serving and the migration connection strings of a configured one, and the file's full path (its folder created).</summary>
    public static SqliteDatabase From(string connectionString)
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

        return new SqliteDatabase(builder.ToString(), migration, filePath);
    }
}
