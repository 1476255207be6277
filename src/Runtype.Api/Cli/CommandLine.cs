using System.CommandLine;
using System.CommandLine.Invocation;
using Runtype.Api.Hosting;
using Runtype.Application.Common;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Api.Cli;

/// <summary>
/// How the commands reach a host: the verbs that work on the database get the services of a host built for the
/// command line (<see cref="ApiHost.Build"/> with the configuration arguments); <c>serve</c> builds and runs the server.
/// </summary>
public sealed record CommandLineHost(Func<string[], IServiceProvider> Services, Func<string[], CancellationToken, Task> Serve)
{
    /// <summary>The host of this process.</summary>
    public static CommandLineHost Process { get; } = new(
        configuration => ApiHost.Build(configuration, commandLineMode: true).Services,
        (configuration, cancellationToken) => ApiHost.Build(configuration, commandLineMode: false).RunAsync(cancellationToken));
}

/// <summary>
/// The command line of the API host (System.CommandLine): <c>serve</c> (the default), <c>keys create|list|revoke</c>,
/// <c>migrate</c> and <c>healthcheck</c>. The line is parsed before anything else happens: <c>--help</c> on any command
/// only prints its help; an unknown command, option or operand fails at once with exit code 2, before a host is built
/// or a database opened. Configuration arguments (<see cref="HostArguments"/>) may be given to every command and go to
/// the host builder. Like the server, the <c>keys</c> commands migrate first unless <c>Database:MigrateOnStartup</c> is
/// false; <c>migrate</c> always does; <c>healthcheck</c> needs no host (<see cref="HealthCheckCommand"/>).
/// </summary>
public static class CommandLine
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    private const string ConfigurationHelp =
        "Configuration arguments may follow any command and go to the host, as environment variables and appsettings.json do: "
        + "--Section:Key <value> or --Section:Key=<value> (e.g. --Database:Provider SqlServer --ConnectionStrings:Runtype \"...\"), "
        + "--urls <urls>, --environment <name>.";

    /// <summary>Runs the process's command line.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunAsync(args, CommandLineHost.Process, output, error, cancellationToken);

    public static async Task<int> RunAsync(string[] args, CommandLineHost host, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var split = HostArguments.Of(args);
        if (split.Error is { } problem)
        {
            return await UsageErrorAsync(error, [problem], "");
        }

        var parsed = Commands(host, split.Configuration).Parse(split.Command);
        if (parsed.Action is ParseErrorAction)
        {
            return await UsageErrorAsync(error, parsed.Errors.Select(e => e.Message), CommandPath(parsed));
        }

        try
        {
            return await parsed.InvokeAsync(
                new InvocationConfiguration
                {
                    Output = output,
                    Error = error,
                    EnableDefaultExceptionHandler = false, // failures surface as they are (and the test host's interception of Build works)
                    ProcessTerminationTimeout = null,      // SIGTERM belongs to the server's graceful shutdown
                },
                cancellationToken);
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

    private static RootCommand Commands(CommandLineHost host, string[] configuration)
    {
        var serve = new Command("serve", "Serve the API (the default when no command is given).");
        serve.SetAction((_, cancellationToken) => host.Serve(configuration, cancellationToken));

        var migrate = new Command("migrate", "Apply the database migrations and exit, whatever Database:MigrateOnStartup says.");
        migrate.SetAction(async (parsed, cancellationToken) =>
        {
            await using var scope = host.Services(configuration).CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
            await parsed.InvocationConfiguration.Output.WriteLineAsync("The database is up to date.");
            return Ok;
        });

        var root = new RootCommand($"Runtype Sessions API host. {ConfigurationHelp}")
        {
            serve,
            KeyCommands.Create(() => host.Services(configuration)),
            migrate,
            HealthCheckCommand.Create(),
        };
        root.SetAction((_, cancellationToken) => host.Serve(configuration, cancellationToken));
        return root;
    }

    private static string CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (var command = parsed.CommandResult; command.Parent is System.CommandLine.Parsing.CommandResult parent; command = parent)
        {
            names.Insert(0, command.Command.Name);
        }

        return string.Join(' ', names);
    }

    private static async Task<int> UsageErrorAsync(TextWriter error, IEnumerable<string> messages, string command)
    {
        foreach (var message in messages)
        {
            await error.WriteLineAsync($"error: {message}");
        }

        await error.WriteLineAsync($"Run 'Runtype.Api {(command.Length > 0 ? command + " " : "")}--help' for usage.");
        return Usage;
    }
}
