using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Application.Webhooks;

namespace Runtype.Api.Tests.Webhooks;

/// <summary>
/// Settings of the webhook fixtures: http and loopback allowed (the receiver is Kestrel on 127.0.0.1), a compressed
/// retry schedule (three attempts: at once, after 1 s, after 2 s of the service's clock) and a short timeout.
/// </summary>
public static class WebhookTestSettings
{
    public const int Attempts = 3;

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public static IReadOnlyDictionary<string, string?> Loopback { get; } = new Dictionary<string, string?>
    {
        ["Webhooks:AllowInsecureUrls"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["Webhooks:RetrySchedule:0"] = "00:00:00",
        ["Webhooks:RetrySchedule:1"] = "00:00:01",
        ["Webhooks:RetrySchedule:2"] = "00:00:02",
        ["Webhooks:Timeout"] = "00:00:02",
    };

    /// <summary>Name resolution by <see cref="FakeHostAddresses"/>: tests never ask the machine's resolver, and never reach past loopback.</summary>
    public static void UseFakeResolver(IServiceCollection services, FakeHostAddresses addresses) =>
        services.Replace(ServiceDescriptor.Singleton<IHostAddresses>(addresses));
}

/// <summary>A resolver told what each name resolves to; <c>localhost</c> is 127.0.0.1, any other name nothing (it does not resolve).</summary>
public sealed class FakeHostAddresses : IHostAddresses
{
    private readonly ConcurrentDictionary<string, IPAddress[]> _names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["localhost"] = [IPAddress.Loopback],
    };

    /// <summary>How often each name was resolved.</summary>
    public ConcurrentDictionary<string, int> Lookups { get; } = new(StringComparer.OrdinalIgnoreCase);

    public void Map(string host, params IPAddress[] addresses) => _names[host] = addresses;

    public Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        Lookups.AddOrUpdate(host, 1, (_, n) => n + 1);
        return Task.FromResult<IReadOnlyList<IPAddress>>(_names.TryGetValue(host, out var found) ? found : []);
    }
}

/// <summary>The webhook suite's fixture on SQLite.</summary>
public sealed class SqliteWebhookFixture : SqliteApiFixture
{
    public FakeHostAddresses Names { get; } = new();

    protected override IReadOnlyDictionary<string, string?> FeatureSettings => WebhookTestSettings.Loopback;

    protected override void ConfigureServices(IServiceCollection services) => WebhookTestSettings.UseFakeResolver(services, Names);
}

/// <summary>The webhook suite's fixture on SQL Server (skipped without Docker).</summary>
public sealed class SqlServerWebhookFixture(SqlServerContainer server) : SqlServerApiFixture(server)
{
    public FakeHostAddresses Names { get; } = new();

    protected override IReadOnlyDictionary<string, string?> FeatureSettings => WebhookTestSettings.Loopback;

    protected override void ConfigureServices(IServiceCollection services) => WebhookTestSettings.UseFakeResolver(services, Names);
}

/// <summary>The webhook suite's fixture on PostgreSQL (skipped without a server).</summary>
public sealed class PostgreSqlWebhookFixture(PostgreSqlServer server) : PostgreSqlApiFixture(server)
{
    public FakeHostAddresses Names { get; } = new();

    protected override IReadOnlyDictionary<string, string?> FeatureSettings => WebhookTestSettings.Loopback;

    protected override void ConfigureServices(IServiceCollection services) => WebhookTestSettings.UseFakeResolver(services, Names);
}

/// <summary>Production's URL rules (https only, no private networks) with a resolver the test controls: the SSRF tests.</summary>
public sealed class StrictWebhookFixture : SqliteApiFixture
{
    public FakeHostAddresses Names { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) => WebhookTestSettings.UseFakeResolver(services, Names);
}

/// <summary>http allowed but no private network: a name that resolves to a public address at creation and to loopback later.</summary>
public sealed class RebindingWebhookFixture : SqliteApiFixture
{
    public FakeHostAddresses Names { get; } = new();

    protected override IReadOnlyDictionary<string, string?> FeatureSettings { get; } = new Dictionary<string, string?>
    {
        ["Webhooks:AllowInsecureUrls"] = "true",
        ["Webhooks:Timeout"] = "00:00:02",
    };

    protected override void ConfigureServices(IServiceCollection services) => WebhookTestSettings.UseFakeResolver(services, Names);
}
