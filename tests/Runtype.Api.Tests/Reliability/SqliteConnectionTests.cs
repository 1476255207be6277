using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Infrastructure.Persistence.Sqlite;

namespace Runtype.Api.Tests.Reliability;

/// <summary>
/// How the service opens its SQLite file: it never creates one while serving, a busy lock is waited for a bounded
/// time, and its connections carry no EF Core SQL functions (re-created at every open of a pooled connection otherwise).
/// </summary>
public sealed class SqliteConnectionTests
{
    private static SqliteDatabase Read(string connectionString) => SqliteDatabase.From(connectionString);

    [Fact]
    public void Serving_connections_never_create_the_file_only_the_migrator_may()
    {
        var path = Path.Combine(Path.GetTempPath(), "runtype-tests", Guid.NewGuid().ToString("N"), "r.db");
        var options = Read($"Data Source={path}");

        var serving = new SqliteConnectionStringBuilder(options.ConnectionString);
        var migration = new SqliteConnectionStringBuilder(options.MigrationConnectionString);
        Assert.Equal(SqliteOpenMode.ReadWrite, serving.Mode);
        Assert.Equal(SqliteOpenMode.ReadWriteCreate, migration.Mode);
        Assert.Equal(path, options.FilePath);
        Assert.Equal(5, serving.DefaultTimeout);
        Assert.Equal(5, migration.DefaultTimeout);
        Directory.Delete(Path.GetDirectoryName(path)!);
    }

    [Fact]
    public void The_host_s_connections_work_without_EF_Core_s_SQL_functions()
    {
        using var database = OfflineDatabase.For(Runtype.Infrastructure.Persistence.DatabaseProvider.Sqlite);
        database.Context.Database.OpenConnection();
        using var command = database.Context.Database.GetDbConnection().CreateCommand();

        command.CommandText = "SELECT 7 % 3";
        Assert.Equal(1L, command.ExecuteScalar());
        command.CommandText = "SELECT ef_mod(7, 3)";
        var missing = Assert.Throws<SqliteException>(() => command.ExecuteScalar());
        Assert.Contains("no such function: ef_mod", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_mode_or_busy_timeout_in_the_connection_string_is_kept()
    {
        var folder = Path.Combine(Path.GetTempPath(), "runtype-tests", Guid.NewGuid().ToString("N"));
        var options = Read($"Data Source={Path.Combine(folder, "r.db")};Mode=ReadOnly;Default Timeout=12");
        var memory = Read("Data Source=:memory:");

        Assert.Equal(SqliteOpenMode.ReadOnly, new SqliteConnectionStringBuilder(options.ConnectionString).Mode);
        Assert.Equal(12, new SqliteConnectionStringBuilder(options.ConnectionString).DefaultTimeout);
        Assert.Null(memory.FilePath);
        Directory.Delete(folder);
    }
}
