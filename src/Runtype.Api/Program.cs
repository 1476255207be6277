using Runtype.Api.Cli;

// serve (the default), keys, migrate, healthcheck: the command line is parsed before a host is built (Cli/CommandLine.cs).
return await CommandLine.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);

/// <summary>The entry point, visible to WebApplicationFactory in the HTTP tests.</summary>
public partial class Program;
