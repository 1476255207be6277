using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Application.Common.Telemetry;

namespace Runtype.Api.Tests.Infrastructure;

/// <summary>
/// Listens to one host's <see cref="RuntypeMetrics"/> (its own meter instance, so other hosts in the test run do not
/// count) and sums what is recorded from now on, by instrument and by tag value.
/// </summary>
public sealed class HostMetrics : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string? Tag), long> _sums = new();

    public HostMetrics(IServiceProvider services)
    {
        var meter = services.GetRequiredService<RuntypeMetrics>().Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == meter)
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

    /// <summary>The sum of the instrument's measurements since this listener started; of those tagged <c>key=value</c> when given.</summary>
    public long Sum(string instrument, string? tag = null) => _sums.GetValueOrDefault((instrument, tag));

    public void Dispose() => _listener.Dispose();
}
