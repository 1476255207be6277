using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Runtype.Bench;

/// <summary>
/// The provider seam of the bench's hand-written code (bench/Baseline and bench/Seed, which link this file): how a
/// connection is opened, and how the service's stored values look on each provider. The SQL text is shared: both
/// providers take named parameters (<c>@name</c>) and the same statements; only what differs is here.
/// <list type="bullet">
/// <item>SQLite: ids are lowercase UUID text, times INTEGER unix milliseconds; one writer at a time (the transaction
/// begins IMMEDIATE, so the read for a change needs no lock of its own).</item>
/// <item>PostgreSQL: ids are <c>uuid</c>, times <c>timestamptz</c> (milliseconds); the read for a change takes the
/// row's lock (<c>FOR UPDATE</c>), as the service's does.</item>
/// </list>
/// </summary>
internal abstract class BenchDatabase
{
    /// <summary><paramref name="provider"/> <c>sqlite</c> (target: a database file) or <c>postgresql</c> (target: a connection string).</summary>
    public static BenchDatabase Create(string provider, string target, string sqlitePragmas) => provider switch
    {
        "sqlite" => new SqliteBenchDatabase(target, sqlitePragmas),
        "postgresql" => new PostgreSqlBenchDatabase(target),
        _ => throw new ArgumentException($"unknown provider '{provider}' (sqlite or postgresql)", nameof(provider)),
    };

    /// <summary>True where writers take turns in this process before their transaction (SQLite: one writer at a time).</summary>
    public abstract bool OneWriterAtATime { get; }

    /// <summary>What the read for a change ends with.</summary>
    public abstract string ForUpdate { get; }

    /// <summary>The statement that reports the database engine's version.</summary>
    public abstract string VersionSql { get; }

    /// <summary>What runs after a bulk load, so that the data is ready to be copied and queried.</summary>
    public abstract string AfterBulkLoadSql { get; }

    public abstract Task<DbConnection> OpenAsync();

    /// <summary>An id (lowercase UUID text, as clients see it) as the database stores it.</summary>
    public abstract object Id(string id);

    public abstract string ReadId(DbDataReader reader, int ordinal);

    /// <summary>A time (unix milliseconds) as the database stores it.</summary>
    public abstract object Time(long unixMs);

    public abstract long ReadTime(DbDataReader reader, int ordinal);

    public static DbParameter Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private sealed class SqliteBenchDatabase(string file, string pragmas) : BenchDatabase
    {
        private readonly string _connectionString = new SqliteConnectionStringBuilder { DataSource = file, DefaultTimeout = 5, Pooling = true }.ToString();

        public override bool OneWriterAtATime => true;

        public override string ForUpdate => "";

        public override string VersionSql => "SELECT sqlite_version()";

        public override string AfterBulkLoadSql => "PRAGMA wal_checkpoint(TRUNCATE);"; // everything in the main file, the WAL emptied

        public override async Task<DbConnection> OpenAsync()
        {
            var db = new SqliteConnection(_connectionString);
            await db.OpenAsync();
            using var pragma = db.CreateCommand();
            pragma.CommandText = pragmas;
            await pragma.ExecuteNonQueryAsync();
            return db;
        }

        public override object Id(string id) => id;

        public override string ReadId(DbDataReader reader, int ordinal) => reader.GetString(ordinal);

        public override object Time(long unixMs) => unixMs;

        public override long ReadTime(DbDataReader reader, int ordinal) => reader.GetInt64(ordinal);
    }

    private sealed class PostgreSqlBenchDatabase(string connectionString) : BenchDatabase
    {
        private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

        public override bool OneWriterAtATime => false;

        public override string ForUpdate => " FOR UPDATE";

        public override string VersionSql => "SHOW server_version";

        public override string AfterBulkLoadSql => "VACUUM ANALYZE;"; // the planner's statistics, as autovacuum would gather them

        public override async Task<DbConnection> OpenAsync() => await _source.OpenConnectionAsync();

        public override object Id(string id) => Guid.ParseExact(id, "D");

        public override string ReadId(DbDataReader reader, int ordinal) => reader.GetGuid(ordinal).ToString("D");

        public override object Time(long unixMs) => DateTime.UnixEpoch.AddMilliseconds(unixMs);

        public override long ReadTime(DbDataReader reader, int ordinal) => (reader.GetDateTime(ordinal).Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;
    }
}
