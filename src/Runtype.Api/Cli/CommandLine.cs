using System.Globalization;
using Mediator;
using Runtype.Application.ApiKeys;
using Runtype.Application.ApiKeys.CreateApiKey;
using Runtype.Application.ApiKeys.ListApiKeys;
using Runtype.Application.ApiKeys.RevokeApiKey;
using Runtype.Application.Common;
using Runtype.Domain.ApiKeys;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Api.Cli;

/// <summary>
/// The verbs of the API host, run against the same configuration and database as the server:
/// <c>keys create|list|revoke</c> and <c>migrate</c>. Anything on the command line that is not a verb's own
/// option (e.g. <c>--ConnectionStrings:Runtype "..."</c>) is host configuration. Like the server, the <c>keys</c>
/// verbs migrate first unless <c>Database:MigrateOnStartup</c> is false; <c>migrate</c> always does.
/// (<c>healthcheck</c> needs no host: see <see cref="HealthCheckCommand"/>.)
/// </summary>
public static class CommandLine
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    private const string UsageText = """
        Usage:
          Runtype.Api                                   serve the API
          Runtype.Api keys create --user <userId> [--org <orgId>] [--name <label>] [--scopes sessions:read,sessions:write,webhooks:read,webhooks:write]
          Runtype.Api keys list [--user <userId>]
          Runtype.Api keys revoke <keyId>
          Runtype.Api migrate                           apply database migrations and exit
          Runtype.Api healthcheck [url]                 exit 0 when url (default http://localhost:8080/health/ready) answers 2xx, else 1
        Configuration options (e.g. --Database:Provider SqlServer --ConnectionStrings:Runtype "...") may follow.
        """;

    private static readonly string[] VerbOptions = ["--user", "--org", "--name", "--scopes"];

    /// <summary>True when the arguments ask for a verb rather than the server.</summary>
    public static bool IsVerb(string[] args) => args.Length > 0 && args[0] is "keys" or "migrate" or "help" or "--help" or "-h";

    /// <summary>The arguments that are host configuration: the verb, its operands and its own options removed.</summary>
    public static string[] ConfigurationArguments(string[] args)
    {
        if (!IsVerb(args))
        {
            return args;
        }

        var rest = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (Array.IndexOf(VerbOptions, args[i]) >= 0)
            {
                i++;
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i].Contains(':', StringComparison.Ordinal))
            {
                rest.Add(args[i]);
                if (!args[i].Contains('=', StringComparison.Ordinal) && i + 1 < args.Length)
                {
                    rest.Add(args[++i]);
                }
            }
        }

        return [.. rest];
    }

    public static async Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            var parsed = Parse(args);
            await using var scope = services.CreateAsyncScope();
            var provider = scope.ServiceProvider;
            if (parsed.Verb == "migrate" || (parsed.Verb != "help" && provider.GetRequiredService<DatabaseOptions>().MigrateOnStartup))
            {
                await provider.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
            }

            var sender = provider.GetRequiredService<ISender>();
            switch (parsed.Verb)
            {
                case "help":
                    await output.WriteLineAsync(UsageText);
                    return Ok;
                case "migrate":
                    await output.WriteLineAsync("The database is up to date.");
                    return Ok;
                case "keys create":
                    var created = await sender.Send(
                        new CreateApiKey(parsed.Required("--user"), parsed.Optional("--org"), parsed.Optional("--name"), parsed.Scopes()), cancellationToken);
                    await output.WriteLineAsync($"Created API key {created.Key.Id} for user {created.Key.UserId} with scopes {string.Join(",", created.Key.Scopes)}.");
                    await output.WriteLineAsync("Store it now: it is shown only once. The next line is the key.");
                    await output.WriteLineAsync(created.PlainText);
                    return Ok;
                case "keys list":
                    var keys = await sender.Send(new ListApiKeys(parsed.Optional("--user")), cancellationToken);
                    await WriteTableAsync(output, keys);
                    return Ok;
                case "keys revoke":
                    var revoked = await sender.Send(new RevokeApiKey(parsed.Operand("keyId")), cancellationToken);
                    await output.WriteLineAsync($"Revoked API key {revoked.Id} (user {revoked.UserId}).");
                    return Ok;
                default:
                    throw new UsageException($"Unknown command '{parsed.Verb}'.");
            }
        }
        catch (UsageException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            await error.WriteLineAsync(UsageText);
            return Usage;
        }
        catch (FluentValidation.ValidationException ex)
        {
            foreach (var failure in ex.Errors)
            {
                await error.WriteLineAsync($"error: --{failure.PropertyName}: {failure.ErrorMessage}");
            }

            return Usage;
        }
        catch (NotFoundException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return Failed;
        }
    }

    private static async Task WriteTableAsync(TextWriter output, IReadOnlyList<ApiKeyDto> keys)
    {
        if (keys.Count == 0)
        {
            await output.WriteLineAsync("No API keys.");
            return;
        }

        await output.WriteLineAsync($"{"ID",-16}  {"USER",-24}  {"ORG",-16}  {"NAME",-20}  {"SCOPES",-29}  {"CREATED",-20}  {"LAST USED",-20}  STATUS");
        foreach (var key in keys)
        {
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{key.Id,-16}  {key.UserId,-24}  {key.OrganizationId ?? "-",-16}  {key.Name,-20}  {string.Join(",", key.Scopes),-29}  {Time(key.CreatedAt),-20}  {Time(key.LastUsedAt),-20}  {(key.RevokedAt is null ? "active" : "revoked " + Time(key.RevokedAt))}"));
        }
    }

    private static string Time(DateTime? value) => value?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static ParsedArguments Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            return new ParsedArguments("help", [], []);
        }

        if (args[0] == "migrate")
        {
            return new ParsedArguments("migrate", [], []);
        }

        if (args.Length < 2 || args[1] is not ("create" or "list" or "revoke"))
        {
            throw new UsageException("'keys' needs a subcommand: create, list or revoke.");
        }

        var verb = $"keys {args[1]}";
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var operands = new List<string>();
        for (var i = 2; i < args.Length; i++)
        {
            var arg = args[i];
            if (Array.IndexOf(VerbOptions, arg) >= 0)
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new UsageException($"{arg} needs a value.");
                }

                if (!options.TryAdd(arg, args[++i]))
                {
                    throw new UsageException($"{arg} is given more than once.");
                }
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains(':', StringComparison.Ordinal))
            {
                // Host configuration, read by the host builder.
                if (!arg.Contains('=', StringComparison.Ordinal))
                {
                    i++;
                }
            }
            else if (arg.StartsWith('-'))
            {
                throw new UsageException($"Unknown option '{arg}'.");
            }
            else
            {
                operands.Add(arg);
            }
        }

        var allowed = verb switch
        {
            "keys create" => new[] { "--user", "--org", "--name", "--scopes" },
            "keys list" => ["--user"],
            _ => [],
        };
        foreach (var option in options.Keys.Where(o => Array.IndexOf(allowed, o) < 0))
        {
            throw new UsageException($"'{verb}' does not take {option}.");
        }

        var operandCount = verb == "keys revoke" ? 1 : 0;
        if (operands.Count != operandCount)
        {
            throw new UsageException(operandCount == 1 ? "'keys revoke' takes exactly one key id." : $"Unexpected argument '{operands[0]}'.");
        }

        return new ParsedArguments(verb, options, operands);
    }

    private sealed record ParsedArguments(string Verb, Dictionary<string, string> Options, List<string> Operands)
    {
        public string Required(string option) =>
            Options.TryGetValue(option, out var value) && !string.IsNullOrWhiteSpace(value) ? value : throw new UsageException($"{option} is required.");

        public string? Optional(string option) => Options.GetValueOrDefault(option);

        public string Operand(string name) => Operands.Count == 1 ? Operands[0] : throw new UsageException($"<{name}> is required.");

        public IReadOnlyList<string> Scopes() =>
            Options.TryGetValue("--scopes", out var value)
                ? [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
                : ApiKeyScopes.All;
    }

    private sealed class UsageException(string message) : Exception(message);
}
