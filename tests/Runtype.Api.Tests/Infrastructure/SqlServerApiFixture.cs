using DotNet.Testcontainers.Builders;
using Microsoft.Data.SqlClient;
using Testcontainers.MsSql;

namespace Runtype.Api.Tests.Infrastructure;

/// <summary>
/// One SQL Server container for the whole test run (an assembly fixture), started by the first fixture that asks
/// for it. Where no Docker engine is reachable nothing is started and <see cref="StartAsync"/> says why; any other
/// failure to start is a real failure and surfaces as one.
/// </summary>
public sealed class SqlServerContainer : IAsyncDisposable
{
    public const string Image = "mcr.microsoft.com/mssql/server:2022-latest";

    private readonly Lazy<Task<SqlServerInstance>> _instance = new(StartContainerAsync);

    public Task<SqlServerInstance> StartAsync() => _instance.Value;

    public async ValueTask DisposeAsync()
    {
        if (_instance.IsValueCreated && _instance.Value.IsCompletedSuccessfully && _instance.Value.Result.Container is { } container)
        {
            await container.DisposeAsync();
        }
    }

    private static async Task<SqlServerInstance> StartContainerAsync()
    {
        MsSqlContainer container;
        try
        {
            container = new MsSqlBuilder(Image).Build();
        }
        catch (DockerUnavailableException ex)
        {
            return SqlServerInstance.Unavailable(ex);
        }

        try
        {
            // Shared by every fixture of the run: no single test's cancellation may stop it.
            await container.StartAsync(CancellationToken.None);
        }
        catch (DockerUnavailableException ex)
        {
            await container.DisposeAsync();
            return SqlServerInstance.Unavailable(ex);
        }

        return new SqlServerInstance(container, container.GetConnectionString(), UnavailableReason: null);
    }
}

/// <summary>A running server and its connection string, or the reason there is none.</summary>
public sealed record SqlServerInstance(MsSqlContainer? Container, string? ConnectionString, string? UnavailableReason)
{
    public static SqlServerInstance Unavailable(DockerUnavailableException ex) =>
        new(Container: null, ConnectionString: null, $"Docker engine not available: {ex.Message}");
}

/// <summary>
/// The HTTP suite on SQL Server: a database of its own on the run's shared container, created by the host's
/// migrations at start-up. Where Docker is missing the fixture starts nothing and its tests skip with the reason.
/// </summary>
public class SqlServerApiFixture(SqlServerContainer server) : ApiFixture
{
    private string? _connectionString;
    private string? _skipReason;

    public override string? SkipReason => _skipReason;

    protected override IReadOnlyDictionary<string, string?> DatabaseSettings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = "SqlServer",
        ["ConnectionStrings:Runtype"] = _connectionString,
    };

    public override async ValueTask InitializeAsync()
    {
        var instance = await server.StartAsync();
        if (instance.UnavailableReason is { } reason)
        {
            // Not thrown: a class fixture that throws fails every test of its class; each test skips instead.
            _skipReason = reason;
            return;
        }

        _connectionString = new SqlConnectionStringBuilder(instance.ConnectionString)
        {
            InitialCatalog = $"runtype_{Guid.NewGuid():N}",
        }.ConnectionString;
        await base.InitializeAsync();
    }
}
