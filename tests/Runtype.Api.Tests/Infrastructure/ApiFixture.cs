using System.Net.Http.Headers;
using Mediator;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Runtype.Application.ApiKeys;
using Runtype.Application.ApiKeys.CreateApiKey;
using Runtype.Application.ApiKeys.RevokeApiKey;
using Runtype.Domain.ApiKeys;

namespace Runtype.Api.Tests.Infrastructure;

/// <summary>
/// The real API host (the whole middleware pipeline, real authentication, a real relational database) behind an
/// in-memory HTTP server. One fixture per test class; tests isolate themselves by acting as their own new user.
/// Subclasses choose the database: the same tests run on every provider.
/// </summary>
public abstract class ApiFixture : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;
    private Func<CancellationToken, Task<ApiContract>>? _contract;

    /// <summary>The clock of the service; starts at the real time and only moves when a test advances it.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException(SkipReason ?? "The fixture is not initialized.");

    public IServiceProvider Services => Factory.Services;

    /// <summary>Why the database under test cannot run here (e.g. no Docker engine); null when it runs.</summary>
    public virtual string? SkipReason => null;

    /// <summary>Settings of the database under test (provider and connection string).</summary>
    protected abstract IReadOnlyDictionary<string, string?> DatabaseSettings { get; }

    /// <summary>Further settings of a fixture made for one feature (e.g. a low rate limit).</summary>
    protected virtual IReadOnlyDictionary<string, string?> FeatureSettings { get; } = new Dictionary<string, string?>();

    /// <summary>Replaces services of the host for a fixture made for one feature (e.g. the JWKS endpoint).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public virtual ValueTask InitializeAsync()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in DatabaseSettings.Concat(FeatureSettings))
            {
                builder.UseSetting(key, value);
            }

            builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
            foreach (var category in (string[])["Runtype", "Runtype.Api.Auth", "Serilog.AspNetCore.RequestLoggingMiddleware"])
            {
                builder.UseSetting($"Serilog:MinimumLevel:Override:{category}", "Warning"); // the test host runs as Development
            }

            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton<TimeProvider>(Clock);
                ConfigureServices(services);
            });
        });

        // Starts the host: migrations run before it serves.
        _ = _factory.Services;
        return ValueTask.CompletedTask;
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Reports the calling test as skipped, with <see cref="SkipReason"/>, when the database cannot run here; suites
    /// call it from each test class's constructor.
    /// </summary>
    public ApiFixture RequireDatabase()
    {
        if (SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        return this;
    }

    /// <summary>
    /// An HTTP client without credentials. Every answer it receives is checked against the OpenAPI document the host
    /// serves (<see cref="ContractCheckingHandler"/>): an answer the document does not describe fails the test.
    /// A test whose answers are not API calls says why in <paramref name="uncheckedBecause"/>.
    /// </summary>
    public HttpClient CreateAnonymousClient(string? uncheckedBecause = null)
    {
        if (uncheckedBecause is not null)
        {
            return Factory.CreateDefaultClient(new Uri("http://localhost"));
        }

        _contract ??= ContractCheckingHandler.FromServer(() => Factory.CreateDefaultClient());
        return Factory.CreateDefaultClient(new Uri("http://localhost"), new ContractCheckingHandler(_contract));
    }

    /// <summary>A new user with a new key carrying <paramref name="scopes"/> (both by default), and a client that sends it.</summary>
    public async Task<ApiUser> CreateUserAsync(string? organizationId = "org_test", params string[] scopes)
    {
        var userId = $"user_{Guid.NewGuid():N}";
        var key = await CreateKeyAsync(userId, organizationId, scopes.Length == 0 ? ApiKeyScopes.All : scopes);
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.PlainText);
        return new ApiUser(userId, organizationId, key.Key.Id, key.PlainText, client);
    }

    public async Task<CreatedApiKey> CreateKeyAsync(string userId, string? organizationId, IReadOnlyList<string> scopes)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ISender>()
            .Send(new CreateApiKey(userId, organizationId, "test", scopes), CancellationToken.None);
    }

    public async Task RevokeKeyAsync(string keyId)
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ISender>().Send(new RevokeApiKey(keyId), CancellationToken.None);
    }
}

/// <summary>A test user: its ids, its key and a client that authenticates with it.</summary>
public sealed record ApiUser(string UserId, string? OrganizationId, string KeyId, string Key, HttpClient Client);

/// <summary>The embedded default: a SQLite file of its own in a temporary folder, with WAL, as in production.</summary>
public class SqliteApiFixture : ApiFixture
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "runtype-tests", Guid.NewGuid().ToString("N"));

    public string DatabasePath => Path.Combine(_folder, "runtype.db");

    protected override IReadOnlyDictionary<string, string?> DatabaseSettings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Sqlite",
        ["ConnectionStrings:Runtype"] = $"Data Source={DatabasePath}",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
