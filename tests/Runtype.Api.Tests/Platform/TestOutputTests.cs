using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Client;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;
using Runtype.TestLogger;
using TestResult = Microsoft.VisualStudio.TestPlatform.ObjectModel.TestResult;

namespace Runtype.Api.Tests.Platform;

/// <summary>
/// The test run's own console output (tools/Runtype.TestLogger): skipped tests one line per reason and assembly, with
/// the count and the classes; failures in full.
/// </summary>
public sealed class TestOutputTests
{
    [Fact]
    public void Skips_are_one_line_per_reason_and_failures_are_written_in_full()
    {
        using var output = new StringWriter { NewLine = "\n" };
        var events = new Events();
        new SkipSummaryLogger(output).Initialize(events, new Dictionary<string, string?>());

        for (var i = 0; i < 3; i++)
        {
            events.Result(Result("Runtype.Api.Tests.CreateSessionOnPostgreSql.Case" + i, TestOutcome.Skipped, "No PostgreSQL server is reachable: connection refused\n  Details: more"));
        }

        events.Result(Result("Runtype.Api.Tests.GetSessionOnPostgreSql.Case(id: \"x.y\")", TestOutcome.Skipped, "No PostgreSQL server is reachable: connection refused\n  Details: more"));
        events.Result(Result("Runtype.Api.Tests.CacheOnRedis.Case", TestOutcome.Skipped, "No Redis server"));
        events.Result(Result("Runtype.Api.Tests.Passing.Case", TestOutcome.Passed, null));
        events.Result(Result("Runtype.Api.Tests.Broken.Case", TestOutcome.Failed, "Assert.Equal() Failure\nExpected: 1", "   at Broken.Case()"));
        events.Complete();

        var lines = output.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal(
            [
                "  Failed Runtype.Api.Tests.Broken.Case [2 ms]",
                "  Error Message:",
                "   Assert.Equal() Failure",
                "   Expected: 1",
                "  Stack Trace:",
                "      at Broken.Case()",
                "  Skipped 4 tests of Runtype.Api.Tests in 2 classes (CreateSessionOnPostgreSql, GetSessionOnPostgreSql): No PostgreSQL server is reachable: connection refused",
                "  Skipped 1 test of Runtype.Api.Tests in 1 class (CacheOnRedis): No Redis server",
            ],
            lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("Skipped!", StringComparison.Ordinal) || l.StartsWith("Passed!", StringComparison.Ordinal));
    }

    private static TestResult Result(string name, TestOutcome outcome, string? message, string? stackTrace = null) =>
        new(new TestCase(name, new Uri("executor://xunit"), "/bin/Runtype.Api.Tests.dll") { DisplayName = name })
        {
            Outcome = outcome,
            ErrorMessage = message,
            ErrorStackTrace = stackTrace,
            Duration = TimeSpan.FromMilliseconds(2),
        };

    private sealed class Events : TestLoggerEvents
    {
        public override event EventHandler<TestRunMessageEventArgs>? TestRunMessage { add { } remove { } }

        public override event EventHandler<TestRunStartEventArgs>? TestRunStart { add { } remove { } }

        public override event EventHandler<TestResultEventArgs>? TestResult;

        public override event EventHandler<TestRunCompleteEventArgs>? TestRunComplete;

        public override event EventHandler<DiscoveryStartEventArgs>? DiscoveryStart { add { } remove { } }

        public override event EventHandler<TestRunMessageEventArgs>? DiscoveryMessage { add { } remove { } }

        public override event EventHandler<DiscoveredTestsEventArgs>? DiscoveredTests { add { } remove { } }

        public override event EventHandler<DiscoveryCompleteEventArgs>? DiscoveryComplete { add { } remove { } }

        public void Result(TestResult result) => TestResult?.Invoke(this, new TestResultEventArgs(result));

        public void Complete() => TestRunComplete?.Invoke(this, new TestRunCompleteEventArgs(null, false, false, null, null, TimeSpan.FromSeconds(1)));
    }
}
