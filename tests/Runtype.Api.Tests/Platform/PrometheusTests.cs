using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Platform;

/// <summary><c>/metrics</c> in the Prometheus text format: the service's counters move, the framework's and the runtime's are there.</summary>
public sealed partial class PrometheusTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>
    /// On a real process of its own: in the test host's process every fixture's host has a meter of the same name, and
    /// a MeterProvider listens to all of them (it is not the process a scrape is ever taken from).
    /// </summary>
    [Fact]
    public async Task A_scrape_needs_no_credentials_and_shows_the_service_s_counters_moving()
    {
        var folder = Directory.CreateTempSubdirectory("runtype-prometheus-");
        try
        {
            string[] settings = ["--ConnectionStrings:Runtype", $"Data Source={Path.Combine(folder.FullName, "runtype.db")}", "--Telemetry:Prometheus", "true"];
            var key = (await ApiProcess.RunAsync(Token, ["keys", "create", "--user", "user_prometheus", .. settings])).LastLine;
            await using var server = await ApiProcess.StartServerAsync(Token, settings);
            using var client = server.CreateClient(key);
            using var anonymous = server.CreateClient(checkContract: false); // the scrape endpoint is an operator's, not part of the API description
            var before = Value(await ScrapeAsync(anonymous), "runtype_sessions_created_total");

            var id = (await client.CreateSessionAsync()).Id();
            await client.CreateSessionAsync();
            await client.UpdateSessionAsync(id, """{"status":"generating"}""");
            var after = await ScrapeAsync(anonymous);

            Assert.Equal(before + 2, Value(after, "runtype_sessions_created_total"));
            Assert.Equal(1, Value(after, "runtype_sessions_status_changes_total", "session_status=\"generating\""));
            Assert.Contains("# TYPE runtype_sessions_created_total counter", after, StringComparison.Ordinal);
            Assert.Contains("http_server_request_duration_seconds_bucket", after, StringComparison.Ordinal);
            Assert.Matches("(?m)^dotnet_gc_", after);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
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
