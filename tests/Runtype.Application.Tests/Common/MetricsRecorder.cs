using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Runtype.Application.Common.Telemetry;

namespace Runtype.Application.Tests.Common;

/// <summary>A <see cref="RuntypeMetrics"/> of its own, and the sums of what was recorded in it, by instrument and tag value.</summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string? Tag), long> _sums = new();
    private readonly OwnMeters _meters = new();

    public MetricsRecorder()
    {
        Metrics = new RuntypeMetrics(_meters);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == Metrics.Meter)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            _sums.AddOrUpdate((instrument.Name, null), value, (_, sum) => sum + value);
            foreach (var tag in tags)
            {
                _sums.AddOrUpdate((instrument.Name, $"{tag.Key}={tag.Value}"), value, (_, sum) => sum + value);
            }
        });
        _listener.Start();
    }

    public RuntypeMetrics Metrics { get; }

    /// <summary>The sum of the instrument's measurements, of those with the tag <c>key=value</c> when given.</summary>
    public long Sum(string instrument, string? tag = null) => _sums.GetValueOrDefault((instrument, tag));

    public void Dispose()
    {
        _listener.Dispose();
        _meters.Dispose();
    }

    private sealed class OwnMeters : IMeterFactory
    {
        private readonly List<Meter> _created = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _created.Add(meter);
            return meter;
        }

        public void Dispose() => _created.ForEach(m => m.Dispose());
    }
}
