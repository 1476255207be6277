using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Client;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

namespace Runtype.TestLogger;

/// <summary>
/// The test run's console lines, with skips grouped. VSTest's console logger runs quiet (<c>VSTestVerbosity</c> in
/// tests/Directory.Build.props: it then prints only each assembly's closing summary line) and tests/test.runsettings turns
/// this one on. It prints each failed test as the console logger would (name, error message, stack trace, output), and,
/// instead of a line per skipped test, one line per skip reason and assembly at the end of its run: how many tests, of
/// which classes, and why (e.g. a suite whose database server is not reachable here skips every test of its fixture with
/// the fixture's reason).
/// </summary>
[FriendlyName(FriendlyName)]
[ExtensionUri("logger://runtype/skip-summary/v1")]
public sealed class SkipSummaryLogger(TextWriter output) : ITestLoggerWithParameters
{
    public const string FriendlyName = "runtype";

    private const int ClassesShown = 4;

    private readonly ConcurrentDictionary<(string Assembly, string Reason), ConcurrentBag<string>> _skipped = new();
    private readonly Lock _gate = new();

    /// <summary>The logger VSTest makes: it writes to the console.</summary>
    public SkipSummaryLogger()
        : this(Console.Out)
    {
    }

    public void Initialize(TestLoggerEvents events, string testRunDirectory)
    {
        ArgumentNullException.ThrowIfNull(events);
        events.TestResult += OnResult;
        events.TestRunComplete += OnComplete;
    }

    public void Initialize(TestLoggerEvents events, Dictionary<string, string?> parameters) => Initialize(events, string.Empty);

    private void OnResult(object? sender, TestResultEventArgs e)
    {
        var result = e.Result;
        if (result.Outcome == TestOutcome.Skipped)
        {
            // One line: the reason's first (an exception's message may go on with details).
            var reason = string.IsNullOrWhiteSpace(result.ErrorMessage) ? "(no reason given)" : result.ErrorMessage.Trim().ReplaceLineEndings("\n").Split('\n')[0];
            _skipped.GetOrAdd((Path.GetFileNameWithoutExtension(result.TestCase.Source), reason), _ => []).Add(ClassOf(result.TestCase.FullyQualifiedName));
        }
        else if (result.Outcome == TestOutcome.Failed)
        {
            WriteFailure(result);
        }
    }

    private void OnComplete(object? sender, TestRunCompleteEventArgs e)
    {
        foreach (var ((assembly, reason), classes) in _skipped.OrderBy(g => g.Key.Assembly, StringComparer.Ordinal).ThenBy(g => g.Key.Reason, StringComparer.Ordinal))
        {
            var names = classes.Distinct().Order(StringComparer.Ordinal).ToArray();
            var shown = string.Join(", ", names.Take(ClassesShown)) + (names.Length > ClassesShown ? ", …" : "");
            var count = classes.Count;
            Write(string.Create(
                CultureInfo.InvariantCulture,
                $"  Skipped {count} {(count == 1 ? "test" : "tests")} of {assembly} in {names.Length} {(names.Length == 1 ? "class" : "classes")} ({shown}): {reason}"));
        }
    }

    /// <summary>A failed test as VSTest's console logger prints it at its default verbosity.</summary>
    private void WriteFailure(TestResult result)
    {
        var lines = new List<string> { string.Create(CultureInfo.InvariantCulture, $"  Failed {result.DisplayName ?? result.TestCase.DisplayName} [{result.Duration.TotalMilliseconds:0} ms]") };
        if (!string.IsNullOrEmpty(result.ErrorMessage))
        {
            lines.Add("  Error Message:");
            lines.Add(Indent(result.ErrorMessage));
        }

        if (!string.IsNullOrEmpty(result.ErrorStackTrace))
        {
            lines.Add("  Stack Trace:");
            lines.Add(Indent(result.ErrorStackTrace));
        }

        var output = string.Concat(result.Messages.Where(m => m.Category == TestResultMessage.StandardOutCategory).Select(m => m.Text));
        if (!string.IsNullOrWhiteSpace(output))
        {
            lines.Add("  Standard Output Messages:");
            lines.Add(Indent(output));
        }

        Write(string.Join(Environment.NewLine, lines));
    }

    private static string Indent(string text) => "   " + text.TrimEnd().ReplaceLineEndings(Environment.NewLine + "   ");

    private void Write(string text)
    {
        lock (_gate)
        {
            output.WriteLine(text);
        }
    }

    /// <summary>The class of a test: its fully qualified name without the method (and a theory's arguments).</summary>
    private static string ClassOf(string fullyQualifiedName)
    {
        var name = fullyQualifiedName.Split('(')[0];
        var method = name.LastIndexOf('.');
        var type = method < 0 ? name : name[..method];
        return type[(type.LastIndexOf('.') + 1)..];
    }
}
