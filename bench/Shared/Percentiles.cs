namespace Runtype.Bench;

/// <summary>The load tools' one percentile (bench/StreamLoad and bench/WebhookLoad link this file).</summary>
internal static class Percentiles
{
    /// <summary>The nearest-rank percentile <paramref name="p"/> (0–1) of values sorted ascending; NaN when there are none.</summary>
    public static double Of(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
