using Runtype.Api.Cli;
using Runtype.Api.Hosting;

if (HealthCheckCommand.IsVerb(args))
{
    // A container's health probe: no host to build, no database to open.
    return await HealthCheckCommand.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
}

var commandLineMode = CommandLine.IsVerb(args);
var app = ApiHost.Build(CommandLine.ConfigurationArguments(args), commandLineMode);
if (commandLineMode)
{
    return await CommandLine.RunAsync(args, app.Services, Console.Out, Console.Error, CancellationToken.None);
}

await app.RunAsync();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in the HTTP tests.</summary>
public partial class Program;
