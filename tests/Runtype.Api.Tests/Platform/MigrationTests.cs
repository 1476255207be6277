using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
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
