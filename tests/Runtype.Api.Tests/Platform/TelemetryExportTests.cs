using System.Diagnostics;
using System.Net;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Platform;

/// <summary>
/// The real process with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set exports its traces and metrics over OTLP to a
/// collector; the trace id a client sent is the one in the problem details, the request's log line and the exported span.
/// </summary>
public sealed class TelemetryExportTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("runtype-otel-");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string[] Settings => ["--ConnectionStrings:Runtype", $"Data Source={Path.Combine(_folder.FullName, "runtype.db")}"];

    [Fact]
    public async Task Traces_and_metrics_reach_the_OTLP_collector_and_the_trace_id_is_the_one_in_logs_and_problems()
    {
        using var collector = new OtlpCollector();
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "250",
        };
        var key = (await ApiProcess.RunAsync(Token, ["keys", "create", "--user", "user_otel", .. Settings])).LastLine;
        await using var server = await ApiProcess.StartServerAsync(new ProcessOptions(Environment: environment), Token, Settings);
        using var client = server.CreateClient(key);
        var traceId = ActivityTraceId.CreateRandom();

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Wire.Sessions}/{Guid.CreateVersion7()}");
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var missing = await client.SendAsync(request, Token);
        var problem = await missing.ReadJsonAsync();
        await client.CreateSessionAsync();

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(traceId.ToHexString(), problem.GetProperty("traceId").GetString());
        var traceBytes = Convert.FromHexString(traceId.ToHexString());
        Assert.True(
            await collector.WaitForAsync("/v1/traces", Patience, traceBytes, OtlpCollector.Utf8("runtype-sessions"), OtlpCollector.Utf8("GET v1/products/generation/sessions/{id")),
            $"no span of the request's trace arrived: {collector.Strings("/v1/traces")}");
        // db.system: every command after the start runs on a leased SQLite connection (its commands are the
        // service's own SqliteCommand subclass), so this is the span of one of those.
        Assert.True(
            await collector.WaitForAsync("/v1/traces", Patience, OtlpCollector.Utf8("sqlite")),
            $"no span of a database command arrived: {collector.Strings("/v1/traces")}");
        Assert.True(
            await collector.WaitForAsync("/v1/metrics", Patience, OtlpCollector.Utf8("runtype.sessions.created"), OtlpCollector.Utf8("http.server.request.duration")),
            $"the service's and the framework's metrics did not arrive: {collector.Strings("/v1/metrics")}");
        Assert.Contains($"traceId={traceId.ToHexString()}", server.Log, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }
}
