using System.Diagnostics.Metrics;

namespace BulkCerts.Tests.Support;

/// <summary>
/// A meter factory with a listener that records every measurement of the meters it created, so a
/// unit test receives only the measurements of the object under test.
/// </summary>
internal sealed class MeterRecorder : IMeterFactory
{
    private readonly List<Meter> _meters = [];
    private readonly List<RecordedMeasurement> _measurements = [];
    private readonly MeterListener _listener = new();

    public MeterRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == this)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public IReadOnlyList<RecordedMeasurement> Measurements
    {
        get
        {
            lock (_measurements)
            {
                return [.. _measurements];
            }
        }
    }

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        _meters.Add(meter);
        return meter;
    }

    /// <summary>Runs the callbacks of the observable instruments, which record what they report.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public IReadOnlyList<RecordedMeasurement> Of(string instrument) =>
        [.. Measurements.Where(measurement => measurement.Instrument == instrument)];

    public void Dispose()
    {
        _listener.Dispose();
        _meters.ForEach(meter => meter.Dispose());
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var recorded = new RecordedMeasurement(
            instrument.Name,
            value,
            tags.ToArray().ToDictionary(tag => tag.Key, tag => tag.Value?.ToString() ?? string.Empty));
        lock (_measurements)
        {
            _measurements.Add(recorded);
        }
    }
}

internal sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, string> Tags);
