namespace Runtype.Api.Cli;

/// <summary>
/// Splits a command line into host configuration, which the host builder reads as any ASP.NET Core app does, and the
/// command with its own options and operands, which <see cref="CommandLine"/> parses strictly. A configuration argument
/// is <c>--Section:Key value</c>, <c>--Section:Key=value</c> or <c>Section:Key=value</c> (any key with a <c>:</c>), or
/// one of the host's own keys (<c>--urls</c>, <c>--environment</c>, <c>--contentRoot</c>, <c>--applicationName</c>,
/// <c>--AllowedHosts</c>) in either <c>--</c> form; <c>--Section=</c> with nothing after the <c>=</c> (the test host
/// passes one for each parent section of its settings) is configuration too. Anything else is the command's, so a
/// mistyped option is an error, never a silently ignored setting.
/// </summary>
public static class HostArguments
{
    private static readonly string[] HostKeys = ["urls", "environment", "contentRoot", "applicationName", "AllowedHosts"];

    /// <summary>The configuration arguments (in order, ready for the host builder), the command's, or what is wrong.</summary>
    public sealed record Split(string[] Configuration, string[] Command, string? Error);

    public static Split Of(IReadOnlyList<string> args)
    {
        var configuration = new List<string>();
        var command = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (IsConfigurationOption(arg))
            {
                configuration.Add(arg);
                if (arg.Contains('=', StringComparison.Ordinal))
                {
                    continue;
                }

                if (i + 1 >= args.Count)
                {
                    return new Split([], [], $"{arg} needs a value (e.g. {arg} <value> or {arg}=<value>).");
                }

                configuration.Add(args[++i]);
            }
            else if (!arg.StartsWith('-') && IsConfigurationPair(arg))
            {
                configuration.Add(arg);
            }
            else
            {
                command.Add(arg);

                // The value of a command's option (--name a:b=c) is never configuration.
                if (arg.StartsWith("--", StringComparison.Ordinal) && !arg.Contains('=', StringComparison.Ordinal)
                    && i + 1 < args.Count && !args[i + 1].StartsWith('-'))
                {
                    command.Add(args[++i]);
                }
            }
        }

        return new Split([.. configuration], [.. command], Error: null);
    }

    private static bool IsConfigurationOption(string arg)
    {
        if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
        {
            return false;
        }

        var key = Key(arg[2..]);
        return key.Contains(':', StringComparison.Ordinal) || HostKeys.Contains(key, StringComparer.OrdinalIgnoreCase) || arg.EndsWith('=');
    }

    private static bool IsConfigurationPair(string arg)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 && arg[..equals].Contains(':', StringComparison.Ordinal);
    }

    private static string Key(string option)
    {
        var equals = option.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? option : option[..equals];
    }
}
