using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Api.Cli;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Api.Tests.Platform;

/// <summary>
/// <c>Database:MigrateOnStartup=false</c> and the <c>migrate</c> verb, the way replicas are deployed
/// (docs/deployment.md): a host that does not migrate is live but not ready until the schema is there.
/// </summary>
public sealed class MigrationTests : IAsyncLifetime
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("runtype-migrate-");
    private WebApplicationFactory<Program>? _factory;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string ConnectionString => $"Data Source={Path.Combine(_folder.FullName, "runtype.db")}";

    public ValueTask InitializeAsync()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder => builder
            .UseSetting("Database:Provider", "Sqlite")
            .UseSetting("ConnectionStrings:Runtype", ConnectionString)
            .UseSetting("Database:MigrateOnStartup", "false")
            .UseSetting("Serilog:MinimumLevel:Default", "Warning"));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task A_host_that_does_not_migrate_on_start_is_live_but_not_ready_until_the_migrate_verb_ran()
    {
        using var client = _factory!.CreateClient();

        using var liveBefore = await client.GetAsync("/health/live", Token);
        using var readyBefore = await client.GetAsync("/health/ready", Token);
        using var output = new StringWriter();
        var code = await CommandLine.RunAsync(["migrate"], new CommandLineHost(_ => _factory.Services, (_, _) => Task.CompletedTask), output, TextWriter.Null, Token);
        using var readyAfter = await client.GetAsync("/health/ready", Token);

        Assert.Equal(HttpStatusCode.OK, liveBefore.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyBefore.StatusCode);
        Assert.Equal(CommandLine.Ok, code);
        Assert.Contains("up to date", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, readyAfter.StatusCode);
        await using var scope = _factory.Services.CreateAsyncScope();
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<RuntypeDbContext>().Database.GetPendingMigrationsAsync(Token));
    }

    [Fact]
    public async Task The_migrate_verb_as_a_process_creates_the_schema_once_and_can_run_again()
    {
        var first = await ApiProcess.RunAsync(Token, "migrate", "--ConnectionStrings:Runtype", ConnectionString);
        var second = await ApiProcess.RunAsync(Token, "migrate", "--ConnectionStrings:Runtype", ConnectionString);

        Assert.True(first.Code == CommandLine.Ok, first.Error);
        Assert.True(second.Code == CommandLine.Ok, second.Error);
        Assert.Equal("The database is up to date.", second.LastLine);
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(Token);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('sessions', 'session_events', 'api_keys') ORDER BY name";
        var tables = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(Token))
        {
            while (await reader.ReadAsync(Token))
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Equal(["api_keys", "session_events", "sessions"], tables);
    }
}

/// <summary>
/// The <c>migrate</c> verb on PostgreSQL, as a process: a database that does not exist yet is created, one its
/// administrator created empty is filled, and neither is reported as an error along the way.
/// </summary>
public sealed class MigrateVerbOnPostgreSqlTests(PostgreSqlServer server)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_database_that_does_not_exist_yet_is_created_and_migrated_without_an_error_in_the_log()
    {
        Assert.SkipWhen(server.UnavailableReason is not null, server.UnavailableReason ?? string.Empty);
        var connectionString = server.NewDatabase();

        var result = await MigrateAsync(connectionString);

        AssertMigratedWithoutErrors(result);
        Assert.Equal(1L, await CountMigratedTablesAsync(connectionString));
    }

    [Fact]
    public async Task An_empty_database_made_by_its_administrator_is_migrated_without_an_error_in_the_log()
    {
        Assert.SkipWhen(server.UnavailableReason is not null, server.UnavailableReason ?? string.Empty);
        var connectionString = server.NewDatabase();
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString))
        {
            await admin.OpenAsync(Token);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync(Token);
        }

        var first = await MigrateAsync(connectionString);
        var second = await MigrateAsync(connectionString);

        AssertMigratedWithoutErrors(first);
        AssertMigratedWithoutErrors(second);
        Assert.Equal(1L, await CountMigratedTablesAsync(connectionString));
    }

    private static Task<ProcessResult> MigrateAsync(string connectionString) =>
        ApiProcess.RunAsync(Token, "migrate", "--Database:Provider", "PostgreSql", "--ConnectionStrings:Runtype", connectionString);

    private static void AssertMigratedWithoutErrors(ProcessResult result)
    {
        Assert.True(result.Code == CommandLine.Ok, result.Error);
        Assert.Equal("The database is up to date.", result.LastLine);
        Assert.DoesNotContain(" ERR]", result.Output + result.Error, StringComparison.Ordinal);
    }

    private static async Task<long> CountMigratedTablesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Token);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'sessions'", connection);
        return (long)(await command.ExecuteScalarAsync(Token))!;
    }
}
