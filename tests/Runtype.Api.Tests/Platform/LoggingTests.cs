using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Platform;

/// <summary>The log lines of the real process, read from its output: JSON or text, one line per event, levels as documented.</summary>
public sealed class LoggingTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("runtype-logs-");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string[] Settings => ["--ConnectionStrings:Runtype", $"Data Source={Path.Combine(_folder.FullName, "runtype.db")}"];

    [Fact]
    public async Task With_Logging_Json_every_line_is_one_JSON_object_written_once()
    {
        var (server, lines) = await RunAndReadAsync(["--Logging:Json", "true"]);
        await using var _ = server;

        var events = lines.Select(line => (Line: line, Json: ParseObject(line))).ToArray();
        Assert.All(events, e => Assert.Equal(JsonValueKind.Object, e.Json.ValueKind));
        Assert.Equal(lines.Length, lines.Distinct().Count());
        Assert.Single(events, e => Message(e.Json).StartsWith("Now listening on", StringComparison.Ordinal));
        var requests = events.Where(e => Message(e.Json).StartsWith("HTTP ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(
            [
                "HTTP GET /v1/products/generation/sessions responded 401",
                "HTTP GET /v1/products/generation/sessions/00000000-0000-7000-8000-000000000000 responded 404",
                "HTTP POST /v1/products/generation/sessions responded 201",
            ],
            requests.Select(e => Message(e.Json)[..Message(e.Json).IndexOf(" in ", StringComparison.Ordinal)]).Order(StringComparer.Ordinal));
        Assert.All(requests, e => Assert.Matches("^[0-9a-f]{32}$", e.Json.GetProperty("@tr").GetString()));
        Assert.All(requests, e => Assert.Equal("Information", e.Json.GetProperty("@l").GetString()));
        Assert.DoesNotContain(events, e => e.Json.TryGetProperty("@tr", out var trace) && trace.ValueKind != JsonValueKind.String);
        Assert.DoesNotContain(lines, line => line.Contains("traceId=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Text_lines_carry_a_trace_id_only_when_they_have_one_and_probes_and_304s_are_not_at_Information()
    {
        var (server, lines) = await RunAndReadAsync([]);
        await using var _ = server;

        var listening = Assert.Single(lines, l => l.Contains("Now listening on", StringComparison.Ordinal));
        Assert.DoesNotContain("traceId", listening, StringComparison.Ordinal);
        var requests = lines.Where(l => l.Contains("] HTTP ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, requests.Length); // the 401, the POST and the 404: not the probe, not the 304
        Assert.All(requests, l => Assert.Matches(" traceId=[0-9a-f]{32}$", l));
        Assert.All(lines, l => Assert.DoesNotMatch("traceId=$", l));
        Assert.DoesNotContain(lines, l => l.Contains("/health", StringComparison.Ordinal) || l.Contains(" 304 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Development_shows_the_debug_lines_of_the_service_s_own_categories()
    {
        var (server, lines) = await RunAndReadAsync(["--environment", "Development", "--Logging:Json", "true"]);
        await using var _ = server;

        var debug = lines.Select(ParseObject).Where(e => e.TryGetProperty("@l", out var level) && level.GetString() == "Debug").ToArray();
        Assert.Contains(debug, e => e.GetProperty("SourceContext").GetString()!.StartsWith("Runtype.", StringComparison.Ordinal));
        Assert.Contains(debug, e => Message(e).StartsWith("HTTP GET /health/ready responded 200", StringComparison.Ordinal));
        Assert.DoesNotContain(debug, e => e.GetProperty("SourceContext").GetString()!.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    /// <summary>
    /// Starts the server with <paramref name="args"/>, then: a readiness probe, a request without credentials, a created
    /// session, a missing one (404), and a conditional read answered 304; returns the non-empty lines it wrote.
    /// </summary>
    private async Task<(ApiServer Server, string[] Lines)> RunAndReadAsync(string[] args)
    {
        var key = (await ApiProcess.RunAsync(Token, ["keys", "create", "--user", "user_logs", .. Settings])).LastLine;
        var server = await ApiProcess.StartServerAsync(Token, [.. Settings, .. args]);
        // Unchecked clients: the answer check would fetch the OpenAPI document, a request of its own in the log.
        using var client = server.CreateClient(key, checkContract: false);
        using var anonymous = server.CreateClient(checkContract: false);
        using (await anonymous.GetAsync(Wire.Sessions, Token))
        using (await client.GetAsync("/health/ready", Token))
        {
        }

        var session = await client.CreateSessionAsync();
        using (await client.GetAsync($"{Wire.Sessions}/00000000-0000-7000-8000-000000000000", Token))
        {
        }

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"{Wire.Sessions}/{session.Id()}");
        conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"1\""));
        using var notModified = await client.SendAsync(conditional, Token);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        // Lines are written by a background thread: wait for the 404's line, then a little for what follows.
        for (var i = 0; i < 100 && !server.Log.Contains("responded 404", StringComparison.Ordinal); i++)
        {
            await Task.Delay(50, Token);
        }

        await Task.Delay(500, Token);
        return (server, server.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static JsonElement ParseObject(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new Xunit.Sdk.XunitException($"Not one JSON object: {line}\n{ex.Message}");
        }
    }

    private static string Message(JsonElement e) => e.TryGetProperty("@m", out var m) ? m.GetString()! : "";
}
