using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Dashboard.Tests;

/// <summary>
/// The real API host for the browser test (started through the HTTP suite's <see cref="ApiProcess"/>) over a
/// SQLite file in a temporary folder, on one loopback address it keeps across a stop and a start.
/// </summary>
internal sealed class DashboardHost : IAsyncDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("runtype-dashboard-");
    private readonly string[] _settings;
    private ApiServer? _server;

    private DashboardHost(string[] settings)
    {
        _settings = settings;
    }

    public Uri BaseAddress { get; } = new($"http://127.0.0.1:{ApiProcess.FreePort()}/");

    /// <summary>What the server printed, for the message of a failed test.</summary>
    public string Log => _server?.Log ?? string.Empty;

    private string ConnectionString => $"Data Source={Path.Combine(_folder.FullName, "runtype.db")}";

    /// <summary>Starts a host; <paramref name="settings"/> are further configuration arguments (e.g. <c>--Webhooks:…</c>).</summary>
    public static async Task<DashboardHost> LaunchAsync(CancellationToken cancellationToken, params string[] settings)
    {
        var host = new DashboardHost(settings);
        await host.StartAsync(cancellationToken);
        return host;
    }

    /// <summary>Runs the <c>keys create</c> verb on the host's database and returns the key it printed last.</summary>
    public async Task<string> CreateKeyAsync(string userId, CancellationToken cancellationToken)
    {
        var created = await ApiProcess.RunAsync(cancellationToken, "keys", "create", "--user", userId, "--name", "dashboard test", "--ConnectionStrings:Runtype", ConnectionString);
        Assert.True(created.Code == 0, $"keys create failed ({created.Code}): {created.Error}");
        return created.LastLine;
    }

    /// <summary>Starts the server (again, after <see cref="StopAsync"/>) on the same address and database.</summary>
    public async Task StartAsync(CancellationToken cancellationToken) =>
        _server = await ApiProcess.StartServerAsync(new Uri(BaseAddress.ToString().TrimEnd('/')), cancellationToken, ["--ConnectionStrings:Runtype", ConnectionString, .. _settings]);

    /// <summary>Kills the server process, as a crash or a lost network would end it.</summary>
    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _folder.Delete(recursive: true);
    }
}
