using System.Globalization;

namespace Runtype.Api.Tests.Reliability;

/// <summary>
/// The fault tests (docs/reliability.md) run one at a time, after the rest of the suite: they kill processes, take the
/// database away and open hundreds of connections, and their bounds should not be measured against other tests' load.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityCollection
{
    public const string Name = "Reliability";
}

/// <summary>How hard the fault tests push: a short run by default (CI), heavier ones through environment variables.</summary>
public static class Effort
{
    /// <summary><c>RUNTYPE_CRASH_ROUNDS</c>: kill-and-restart rounds of the crash test (default 3).</summary>
    public static int CrashRounds => Read("RUNTYPE_CRASH_ROUNDS", 3);

    /// <summary><c>RUNTYPE_FUZZ_ITERATIONS</c>: generated requests through the in-memory host (default 400).</summary>
    public static int FuzzIterations => Read("RUNTYPE_FUZZ_ITERATIONS", 400);

    /// <summary><c>RUNTYPE_RAW_FUZZ_ITERATIONS</c>: generated raw requests over TCP to the real server (default 150).</summary>
    public static int RawFuzzIterations => Read("RUNTYPE_RAW_FUZZ_ITERATIONS", 150);

    /// <summary><c>RUNTYPE_LOAD_SCALE</c>: multiplies the slow connections, streams and burst of the load test (default 1).</summary>
    public static int LoadScale => Read("RUNTYPE_LOAD_SCALE", 1);

    /// <summary><c>RUNTYPE_FAULT_SEED</c>: replays the crash test or a fuzz run from a printed seed.</summary>
    public static string? Seed => Environment.GetEnvironmentVariable("RUNTYPE_FAULT_SEED") is { Length: > 0 } seed ? seed : null;

    private static int Read(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}

/// <summary>
/// Writes a figure line to the test's output and to <c>reliability-figures.txt</c> beside the test assembly, which
/// <c>.ci/run</c> prints at the end (docs/reliability.md quotes a run's figures).
/// </summary>
public static class Figures
{
    public static readonly string FilePath = Path.Combine(AppContext.BaseDirectory, "reliability-figures.txt");

    private static readonly Lock Gate = new();
    private static bool _started;

    public static void Report(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        var test = TestContext.Current.TestMethod?.MethodName ?? "?";
        lock (Gate)
        {
            if (!_started)
            {
                File.WriteAllText(FilePath, string.Empty);
                _started = true;
            }

            File.AppendAllText(FilePath, $"{test}: {line}{Environment.NewLine}");
        }
    }
}
