using Microsoft.Extensions.DependencyInjection;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Sessions.Client;

namespace Runtype.Api.Tests.Client;

/// <summary>
/// The API as a real process (a SQLite file of its own) for the client library's tests, with a key made by the
/// <c>keys create</c> verb, and event streams that ask for a reconnect every 2 s (Streams:MaxDuration).
/// </summary>
public sealed class ClientServer : IAsyncLifetime
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("runtype-client-");
    private ApiServer? _server;

    public ApiServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public string Key { get; private set; } = null!;

    private string[] Settings =>
    [
        "--Database:Provider", "Sqlite", "--ConnectionStrings:Runtype", $"Data Source={Path.Combine(_folder.FullName, "runtype.db")}",
        "--Streams:MaxDuration", "00:00:02", "--Streams:HeartbeatInterval", "00:00:01", "--RateLimiting:PermitsPerMinute", "0",
    ];

    public async ValueTask InitializeAsync()
    {
        _server = await ApiProcess.StartServerAsync(CancellationToken.None, Settings);
        Key = await NewKeyAsync("user_client");
    }

    /// <summary>A key of a new user (so tests do not see each other's sessions).</summary>
    public async Task<string> NewKeyAsync(string user)
    {
        var created = await ApiProcess.RunAsync(CancellationToken.None, ["keys", "create", "--user", $"{user}_{Guid.NewGuid():N}", .. Settings]);
        Assert.True(created.Code == 0, created.Error);
        return created.LastLine;
    }

    /// <summary>The client as an application registers it, pointed at <paramref name="address"/> (default: the server).</summary>
    public ServiceProvider CreateClient(string key, Uri? address = null, Action<RuntypeSessionsClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddRuntypeSessionsClient(o =>
        {
            o.BaseAddress = address ?? Server.Address;
            o.ApiKey = key;
            o.RetryDelay = TimeSpan.FromMilliseconds(50);
            o.StreamReconnectDelay = TimeSpan.FromMilliseconds(100);
            configure?.Invoke(o);
        });
        return services.BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }
}
