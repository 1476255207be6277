using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Runtype.Api.Tests.Infrastructure;

/// <summary>
/// A database that real server processes (<see cref="ApiProcess"/>) share: the settings that point a process at it,
/// and a direct connection to read it while no server runs (after a SIGKILL). One per provider the tests run on.
/// </summary>
public abstract class ProcessDatabase : IDisposable
{
    /// <summary>Why this database cannot run here (e.g. no PostgreSQL server); null when it runs.</summary>
    public virtual string? SkipReason => null;

    public abstract string Provider { get; }

    public abstract string ConnectionString { get; }

    /// <summary><c>--Database:Provider … --ConnectionStrings:Runtype …</c>.</summary>
    public string[] Settings => ["--Database:Provider", Provider, "--ConnectionStrings:Runtype", ConnectionString];

    /// <summary>A connection of the test's own, opened, not pooled.</summary>
    public abstract DbConnection OpenDirect();

    /// <summary>Reports the calling test as skipped, with <see cref="SkipReason"/>, when this database cannot run here.</summary>
    public void Require()
    {
        if (SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>A SQLite file of its own in a temporary folder.</summary>
public sealed class SqliteProcessDatabase : ProcessDatabase
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("runtype-process-");

    public string FilePath => Path.Combine(_folder.FullName, "runtype.db");

    public override string Provider => "Sqlite";

    public override string ConnectionString => $"Data Source={FilePath}";

    /// <summary>Read-only and without a pool: the file as the dead process left it.</summary>
    public override DbConnection OpenDirect()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = FilePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public override void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
        base.Dispose();
    }
}

/// <summary>A database of its own on the run's PostgreSQL server (created by the first process that migrates it).</summary>
public sealed class PostgreSqlProcessDatabase(PostgreSqlServer server) : ProcessDatabase
{
    private readonly string? _connectionString = server.UnavailableReason is null ? server.NewDatabase() : null;

    public override string? SkipReason => server.UnavailableReason;

    public override string Provider => "PostgreSql";

    public override string ConnectionString => _connectionString ?? throw new InvalidOperationException(SkipReason);

    public override DbConnection OpenDirect()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        return connection;
    }
}
