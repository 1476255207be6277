using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Platform;

/// <summary>
/// The README's curl walkthrough, read from README.md itself (the shell blocks between its <c>walkthrough</c> markers),
/// run as written by bash against a started server: in order, every block, with only the address changed
/// (<c>http://localhost:5080</c> → the test server's) and <c>dotnet run --project src/Runtype.Api --</c> answered by the
/// built host (a shell function of that name) on the server's database.
/// </summary>
public sealed partial class ReadmeWalkthroughTests : IDisposable
{
    private const string ReadmeAddress = "http://localhost:5080";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("runtype-readme-");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_walkthrough_runs_top_to_bottom_as_written()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/curl") && File.Exists("/bin/bash"), "the walkthrough needs bash and curl");
        var blocks = WalkthroughBlocks(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "README.md"), Token));
        Assert.True(blocks.Count >= 5, $"the README's walkthrough has {blocks.Count} shell blocks");
        var database = $"Data Source={Path.Combine(_folder.FullName, "runtype.db")}";
        await using var server = await ApiProcess.StartServerAsync(Token, "--ConnectionStrings:Runtype", database);

        var script = new StringBuilder()
            .AppendLine("set -eo pipefail")
            .AppendLine("dotnet() {")
            .AppendLine("  if [ \"$1 $2 $3 $4\" = \"run --project src/Runtype.Api --\" ]; then shift 4; command dotnet \"$RUNTYPE_API\" \"$@\" --ConnectionStrings:Runtype \"$RUNTYPE_DB\";")
            .AppendLine("  else command dotnet \"$@\"; fi")
            .AppendLine("}")
            .AppendJoin('\n', blocks.Select(b => b.Replace(ReadmeAddress, server.Address.ToString().TrimEnd('/'), StringComparison.Ordinal)))
            .AppendLine()
            .ToString();
        var (code, output, error) = await RunBashAsync(script, database);

        Assert.True(code == 0, $"exit {code}\n--- stdout\n{output}\n--- stderr\n{error}");
        Assert.Matches("(?m)^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$", output); // echo "$ID"
        Assert.Contains("\"code\":\"precondition_failed\"", output, StringComparison.Ordinal);
        Assert.Matches("(?m)(^|})304$", output); // curl prints JSON without a final newline
        Assert.Matches("(?mi)^idempotent-replayed: true", output);
        Assert.Contains("\"status\":\"completed\"", output, StringComparison.Ordinal);
        Assert.Contains("data: ", output, StringComparison.Ordinal); // the stream replayed the log and ended
        Assert.Matches("(?m)(^|})204$", output);
        Assert.Contains("\"code\":\"not_found\"", output, StringComparison.Ordinal);
        Assert.Contains("Revoked API key", output, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"unauthorized\"", output[output.LastIndexOf("{\"type\"", StringComparison.Ordinal)..], StringComparison.Ordinal); // the last answer
        Assert.Equal(["not_found", "precondition_failed", "unauthorized"], Code().Matches(output).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    /// <summary>The <c>```bash</c> blocks between <c>&lt;!-- walkthrough --&gt;</c> and <c>&lt;!-- /walkthrough --&gt;</c>.</summary>
    private static List<string> WalkthroughBlocks(string readme)
    {
        var start = readme.IndexOf("<!-- walkthrough -->", StringComparison.Ordinal);
        var end = readme.IndexOf("<!-- /walkthrough -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README.md has no walkthrough markers");
        return [.. Block().Matches(readme[start..end]).Select(m => m.Groups[1].Value)];
    }

    private async Task<(int Code, string Output, string Error)> RunBashAsync(string script, string database)
    {
        var start = new ProcessStartInfo("/bin/bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder.FullName,
        };
        start.Environment["RUNTYPE_API"] = Path.Combine(AppContext.BaseDirectory, "Runtype.Api.dll");
        start.Environment["RUNTYPE_DB"] = database;
        using var bash = Process.Start(start)!;
        var output = bash.StandardOutput.ReadToEndAsync(Token);
        var error = bash.StandardError.ReadToEndAsync(Token);
        await bash.StandardInput.WriteAsync(script);
        bash.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromMinutes(5)); // a bound, not a speed check: each host command starts a process
        await bash.WaitForExitAsync(timeout.Token);
        return (bash.ExitCode, await output, await error);
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Runtype.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Runtype.sln not found above the test's folder.");
    }

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Block();

    [GeneratedRegex("\"code\":\"([a-z_]+)\"")]
    private static partial Regex Code();
}
