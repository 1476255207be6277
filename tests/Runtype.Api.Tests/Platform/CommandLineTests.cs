using System.Net;
using System.Net.Http.Headers;
using Runtype.Api.Cli;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Platform;

/// <summary>The <c>keys</c> verbs of the API host (contract §2), in process and as a real process on a database file.</summary>
public sealed class CommandLineTests(SqliteApiFixture api) : IClassFixture<SqliteApiFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Keys_create_prints_the_key_alone_on_the_last_line_and_the_key_works()
    {
        var (code, output, _) = await RunAsync("keys", "create", "--user", "user_cli", "--org", "org_cli", "--name", "ci key");

        Assert.Equal(CommandLine.Ok, code);
        var key = output.TrimEnd('\n').Split('\n')[^1];
        Assert.Matches("^rt_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$", key);
        using var client = api.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var created = await client.PostJsonAsync(Wire.Sessions, "{}");
        var session = await created.ReadJsonAsync();
        Assert.Equal("user_cli", session.GetProperty("userId").GetString());
        Assert.Equal("org_cli", session.GetProperty("organizationId").GetString());
    }

    [Fact]
    public async Task Keys_list_shows_keys_without_secrets_and_revoke_takes_effect_on_the_next_request()
    {
        var user = await api.CreateUserAsync();

        var (listCode, listed, _) = await RunAsync("keys", "list", "--user", user.UserId);
        var (revokeCode, revoked, _) = await RunAsync("keys", "revoke", user.KeyId);
        var (_, listedAfter, _) = await RunAsync("keys", "list", "--user", user.UserId);
        using var response = await user.Client.GetAsync(Wire.Sessions, Token);

        Assert.Equal(CommandLine.Ok, listCode);
        Assert.Contains(user.KeyId, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(user.Key, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(user.Key[20..], listed, StringComparison.Ordinal);
        Assert.Contains("active", listed, StringComparison.Ordinal);
        Assert.Equal(CommandLine.Ok, revokeCode);
        Assert.Contains(user.KeyId, revoked, StringComparison.Ordinal);
        Assert.Contains("revoked", listedAfter, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_key_with_scopes_gets_only_those()
    {
        var (_, output, _) = await RunAsync("keys", "create", "--user", "user_scoped", "--scopes", "sessions:read");
        using var client = api.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", output.TrimEnd('\n').Split('\n')[^1]);

        using var list = await client.GetAsync(Wire.Sessions, Token);
        using var create = await client.PostJsonAsync(Wire.Sessions, "{}");

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
    }

    public static TheoryData<string[], int> BadArguments => new()
    {
        { ["keys"], CommandLine.Usage },
        { ["keys", "rotate"], CommandLine.Usage },
        { ["keys", "create"], CommandLine.Usage },
        { ["keys", "create", "--user"], CommandLine.Usage },
        { ["keys", "create", "--user", "u", "--scopes", "sessions:admin"], CommandLine.Usage },
        { ["keys", "create", "--user", "u", "--bogus", "x"], CommandLine.Usage },
        { ["keys", "create", "--user", "u", "extra"], CommandLine.Usage },
        { ["keys", "list", "--org", "o"], CommandLine.Usage },
        { ["keys", "revoke"], CommandLine.Usage },
        { ["keys", "revoke", "a", "b"], CommandLine.Usage },
        { ["keys", "revoke", "0000000000000000"], CommandLine.Failed },
        { ["keys", "create", "--user", "u", "--user", "v"], CommandLine.Usage },
        { ["key", "create", "--user", "u"], CommandLine.Usage },
        { ["serve", "--bogus"], CommandLine.Usage },
        { ["--bogus"], CommandLine.Usage },
        { ["migrate", "now"], CommandLine.Usage },
        { ["healthcheck", "not a url"], CommandLine.Usage },
        { ["keys", "list", "--Database:Provider"], CommandLine.Usage },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task Bad_arguments_print_a_clear_message_and_exit_non_zero(string[] args, int expected)
    {
        var (code, output, error) = await RunAsync(args);

        Assert.Equal(expected, code);
        Assert.StartsWith("error:", error, StringComparison.Ordinal);
        Assert.DoesNotContain("rt_", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_real_host_runs_the_verbs_on_the_configured_database_file()
    {
        var folder = Directory.CreateTempSubdirectory("runtype-cli-");
        var connection = $"Data Source={Path.Combine(folder.FullName, "keys.db")}";

        var created = await ApiProcess.RunAsync(Token, "keys", "create", "--user", "user_proc", "--ConnectionStrings:Runtype", connection);
        var listed = await ApiProcess.RunAsync(Token, "keys", "list", "--ConnectionStrings:Runtype", connection);
        var bad = await ApiProcess.RunAsync(Token, "keys", "create", "--ConnectionStrings:Runtype", connection);

        Assert.True(created.Code == 0, created.Error);
        var key = created.LastLine;
        Assert.StartsWith("rt_", key, StringComparison.Ordinal);
        Assert.Contains(key[3..19], listed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listed.Output, StringComparison.Ordinal);
        Assert.Equal(CommandLine.Usage, bad.Code);
        Assert.Contains("--user", bad.Error, StringComparison.Ordinal);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        folder.Delete(recursive: true);
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var host = new CommandLineHost(_ => api.Services, (_, _) => throw new InvalidOperationException("These tests never start a server."));
        var code = await CommandLine.RunAsync(args, host, output, error, Token);
        return (code, output.ToString(), error.ToString());
    }
}

/// <summary>The command line of the real process: parsed before any host is built, so help and mistakes never reach a database.</summary>
public sealed class CommandLineProcessTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("runtype-cli-");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string DatabaseFile => Path.Combine(_folder.FullName, "untouched.db");

    public static TheoryData<string[]> Mistakes => new()
    {
        { ["key", "create", "--user", "u"] },
        { ["keys", "create", "--user", "u", "--bogus"] },
        { ["keys", "craete", "--user", "u"] },
        { ["--bogus"] },
        { ["serve", "--urls", "http://127.0.0.1:1", "--bogus", "x"] },
        { ["migrate", "--force"] },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task A_mistake_fails_at_once_with_exit_code_2_and_touches_no_database(string[] args)
    {
        // What a start of the process costs on this machine now (the runtime, loading the assembly): the bound is a
        // second beyond it, so a loaded machine does not fail the test, and a command that builds a host or waits does.
        var start = System.Diagnostics.Stopwatch.StartNew();
        await ApiProcess.RunAsync(Token, "--version");
        var bareStart = start.Elapsed;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = await ApiProcess.RunAsync(Token, [.. args, "--ConnectionStrings:Runtype", $"Data Source={DatabaseFile}"]);
        watch.Stop();

        Assert.Equal(CommandLine.Usage, result.Code);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains($"Unrecognized command or argument '{args[^1]}'", result.Error, StringComparison.Ordinal);
        Assert.Contains("--help' for usage.", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
        Assert.False(File.Exists(DatabaseFile), "the database was opened");
        Assert.True(watch.Elapsed < bareStart + TimeSpan.FromSeconds(1), $"took {watch.Elapsed}; a bare start took {bareStart}");
    }

    public static TheoryData<string[]> Commands => new()
    {
        { [] },
        { ["serve"] },
        { ["keys"] },
        { ["keys", "create"] },
        { ["keys", "list"] },
        { ["keys", "revoke"] },
        { ["migrate"] },
        { ["healthcheck"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_of_every_command_only_prints_help(string[] command)
    {
        var result = await ApiProcess.RunAsync(Token, [.. command, "--help", "--ConnectionStrings:Runtype", $"Data Source={DatabaseFile}"]);

        Assert.Equal(CommandLine.Ok, result.Code);
        Assert.Contains($"Usage:\n  Runtype.Api {string.Join(' ', command)}".TrimEnd(), result.Output, StringComparison.Ordinal);
        Assert.Equal("", result.Error);
        Assert.False(File.Exists(DatabaseFile), "the database was opened");
    }

    [Fact]
    public async Task Keys_help_names_the_subcommands_and_create_help_its_options()
    {
        var keys = await ApiProcess.RunAsync(Token, "keys", "--help");
        var create = await ApiProcess.RunAsync(Token, "keys", "create", "-h");

        Assert.Contains("create", keys.Output, StringComparison.Ordinal);
        Assert.Contains("list", keys.Output, StringComparison.Ordinal);
        Assert.Contains("revoke <keyId>", keys.Output, StringComparison.Ordinal);
        foreach (var option in new[] { "--user <userId> (REQUIRED)", "--org <orgId>", "--name <label>", "--scopes <a,b>" })
        {
            Assert.Contains(option, create.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Configuration_arguments_reach_the_host_in_every_form()
    {
        var database = Path.Combine(_folder.FullName, "forms.db");

        var spaced = await ApiProcess.RunAsync(Token, "keys", "create", "--user", "u1", "--name", "a:b=c", "--ConnectionStrings:Runtype", $"Data Source={database}");
        var equals = await ApiProcess.RunAsync(Token, "keys", "list", $"--ConnectionStrings:Runtype=Data Source={database}", "--user", "u1");
        var bare = await ApiProcess.RunAsync(Token, "keys", "list", $"ConnectionStrings:Runtype=Data Source={database}");

        Assert.True(spaced.Code == 0, spaced.Error);
        Assert.Contains("a:b=c", equals.Output, StringComparison.Ordinal);
        Assert.Contains(spaced.LastLine[3..19], bare.Output, StringComparison.Ordinal);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
