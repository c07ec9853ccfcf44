using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace VoiceBridge.EndToEnd.Tests.Telemetry;

/// <summary>
/// Every measurement of one host's meters (filtered by the host's IMeterFactory: parallel tests have their own). An
/// observable instrument is observed at each query, as an exporter would collect it, and its last value per series
/// stands for it (it reports running totals).
/// </summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly ConcurrentDictionary<string, Measurement> _observed = new();

    public MetricRecorder(IMeterFactory hostMeters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == hostMeters && instrument.Meter.Name == "VoiceBridge")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public IReadOnlyList<Measurement> Of(string instrument, params (string Key, string Value)[] tags)
    {
        _listener.RecordObservableInstruments();
        return _measurements.Concat(_observed.Values)
            .Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && Equals(v?.ToString(), t.Value))).ToList();
    }

    public double Sum(string instrument, params (string Key, string Value)[] tags) => Of(instrument, tags).Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var measurement = new Measurement(instrument.Name, value, new Dictionary<string, object?>(tags.ToArray()));
        if (instrument.IsObservable)
        {
            _observed[instrument.Name + "|" + string.Join(",", measurement.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"))] = measurement;
        }
        else
        {
            _measurements.Enqueue(measurement);
        }
    }

    internal sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);
}
