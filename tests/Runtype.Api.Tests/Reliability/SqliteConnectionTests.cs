using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Runtype.Infrastructure;

namespace Runtype.Api.Tests.Reliability;

/// <summary>How the service opens its SQLite file: it never creates one while serving, and a busy lock is waited for a bounded time.</summary>
public sealed class SqliteConnectionTests
{
    private static Runtype.Infrastructure.Persistence.DatabaseOptions Read(string connectionString) =>
        DependencyInjection.ReadDatabaseOptions(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Runtype"] = connectionString })
            .Build());

    [Fact]
    public void Serving_connections_never_create_the_file_only_the_migrator_may()
    {
        var path = Path.Combine(Path.GetTempPath(), "runtype-tests", Guid.NewGuid().ToString("N"), "r.db");
        var options = Read($"Data Source={path}");

        var serving = new SqliteConnectionStringBuilder(options.ConnectionString);
        var migration = new SqliteConnectionStringBuilder(options.MigrationConnectionString);
        Assert.Equal(SqliteOpenMode.ReadWrite, serving.Mode);
        Assert.Equal(SqliteOpenMode.ReadWriteCreate, migration.Mode);
        Assert.Equal(path, options.SqliteFilePath);
        Assert.Equal(5, serving.DefaultTimeout);
        Assert.Equal(5, migration.DefaultTimeout);
        Directory.Delete(Path.GetDirectoryName(path)!);
    }

    [Fact]
    public void An_explicit_mode_or_busy_timeout_in_the_connection_string_is_kept()
    {
        var folder = Path.Combine(Path.GetTempPath(), "runtype-tests", Guid.NewGuid().ToString("N"));
        var options = Read($"Data Source={Path.Combine(folder, "r.db")};Mode=ReadOnly;Default Timeout=12");
        var memory = Read("Data Source=:memory:");

        Assert.Equal(SqliteOpenMode.ReadOnly, new SqliteConnectionStringBuilder(options.ConnectionString).Mode);
        Assert.Equal(12, new SqliteConnectionStringBuilder(options.ConnectionString).DefaultTimeout);
        Assert.Null(memory.SqliteFilePath);
        Directory.Delete(folder);
    }
}
