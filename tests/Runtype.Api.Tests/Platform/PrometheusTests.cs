using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Platform;

/// <summary>A host with the Prometheus scrape endpoint on (<c>Telemetry:Prometheus</c>).</summary>
public sealed class PrometheusApiFixture : SqliteApiFixture
{
    protected override IReadOnlyDictionary<string, string?> FeatureSettings { get; } = new Dictionary<string, string?>
    {
        ["Telemetry:Prometheus"] = "true",
    };
}

/// <summary><c>/metrics</c> in the Prometheus text format: the service's counters move, the framework's and the runtime's are there.</summary>
public sealed partial class PrometheusTests(PrometheusApiFixture api) : IClassFixture<PrometheusApiFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_scrape_needs_no_credentials_and_shows_the_service_s_counters_moving()
    {
        var user = await api.CreateUserAsync();
        using var anonymous = api.CreateAnonymousClient(uncheckedBecause: "the scrape endpoint is an operator's, not part of the API description");
        var before = Value(await ScrapeAsync(anonymous), "runtype_sessions_created_total");

        var id = (await user.Client.CreateSessionAsync()).Id();
        await user.Client.CreateSessionAsync();
        await user.Client.UpdateSessionAsync(id, """{"status":"generating"}""");
        var after = await ScrapeAsync(anonymous);

        // At least what this test did (other hosts of the test run share the meter's name, and may add to it).
        Assert.True(Value(after, "runtype_sessions_created_total") >= before + 2, after);
        Assert.True(Value(after, "runtype_sessions_status_changes_total", "session_status=\"generating\"") >= 1, after);
        Assert.Contains("# TYPE runtype_sessions_created_total counter", after, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_bucket", after, StringComparison.Ordinal);
        Assert.Matches("(?m)^dotnet_gc_", after);
    }

    [Fact]
    public async Task Without_Telemetry_Prometheus_there_is_no_scrape_endpoint()
    {
        await using var plain = new SqliteApiFixture();
        await plain.InitializeAsync();
        using var client = plain.CreateAnonymousClient();

        using var response = await client.GetAsync("/metrics", Token);

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    private static async Task<string> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics", Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync(Token);
    }

    /// <summary>The value of the sample named <paramref name="name"/> (whose labels include <paramref name="label"/> when given); 0 when absent.</summary>
    private static double Value(string scrape, string name, string? label = null) =>
        Sample().Matches(scrape)
            .Where(m => m.Groups["name"].Value == name && (label is null || m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"(?m)^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)")]
    private static partial Regex Sample();
}
