namespace Runtype.Api.Cli;

/// <summary>
/// <c>healthcheck [url]</c>: GETs the readiness endpoint of a running server and exits 0 when it answers 2xx, 1
/// otherwise. The container's health probe: the aspnet image has neither curl nor wget, and this runs without
/// building the host or opening the database.
/// </summary>
public static class HealthCheckCommand
{
    public const string Verb = "healthcheck";
    public const string DefaultUrl = "http://localhost:8080/health/ready";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static bool IsVerb(string[] args) => args.Length > 0 && args[0] == Verb;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var target = args.Length > 1 ? args[1] : DefaultUrl;
        if (args.Length > 2 || !Uri.TryCreate(target, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            await error.WriteLineAsync($"error: usage: Runtype.Api {Verb} [http://host:port/path] (default {DefaultUrl})");
            return CommandLine.Usage;
        }

        using var http = new HttpClient { Timeout = Timeout };
        try
        {
            using var response = await http.GetAsync(url, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            await output.WriteLineAsync($"{(int)response.StatusCode} {body}");
            return response.IsSuccessStatusCode ? CommandLine.Ok : CommandLine.Failed;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await error.WriteLineAsync($"error: {url}: {ex.Message}");
            return CommandLine.Failed;
        }
    }
}
