using System.CommandLine;

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

    public static Command Create()
    {
        var url = new Argument<string>("url") { Description = $"An http(s) URL (default {DefaultUrl}).", Arity = ArgumentArity.ZeroOrOne };
        url.Validators.Add(result =>
        {
            var value = result.Tokens.Count > 0 ? result.Tokens[0].Value : DefaultUrl;
            if (!Uri.TryCreate(value, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
            {
                result.AddError($"'{value}' is not an http(s) URL.");
            }
        });
        var command = new Command(Verb, "Exit 0 when the server's readiness endpoint answers 2xx, else 1 (a container's health probe).") { url };
        command.SetAction((parsed, cancellationToken) => RunAsync(
            new Uri(parsed.GetValue(url) ?? DefaultUrl), parsed.InvocationConfiguration.Output, parsed.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Uri url, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
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
