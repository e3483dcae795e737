using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ActorPool.Testing;

/// <summary>
/// Listens to the <c>ActorPool</c> meter for one pool: the latest value of every observable
/// instrument (outcome counters keyed <c>name/outcome</c>) and every recorded task duration.
/// </summary>
public sealed class PoolMeterListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _latest = new();
    private readonly ConcurrentQueue<double> _durations = new();
    private readonly ConcurrentDictionary<string, byte> _pools = new();
    private readonly bool _byPrefix;

    /// <param name="pool">The pool's name, or with <paramref name="byPrefix"/> the start of every name to listen to.</param>
    /// <param name="byPrefix">Whether every pool whose name starts with <paramref name="pool"/> counts (their names land in <see cref="Pools"/>).</param>
    public PoolMeterListener(string pool, bool byPrefix = false)
    {
        Pool = pool;
        _byPrefix = byPrefix;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "ActorPool")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Observe(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Observe(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (Matches(Tag(tags, "actorpool.pool")) && instrument.Name == "actorpool.task.duration")
            {
                _durations.Enqueue(value);
            }
        });
        _listener.Start();
    }

    /// <summary>The pool whose measurements are kept.</summary>
    public string Pool { get; }

    /// <summary>The names of the pools measured so far.</summary>
    public IReadOnlyCollection<string> Pools => [.. _pools.Keys];

    /// <summary>Every run time recorded so far, in seconds.</summary>
    public IReadOnlyCollection<double> Durations => _durations;

    /// <summary>Forgets every value, collects the observable instruments now and returns the latest value of each (keyed <c>name</c>, or <c>name/outcome</c> and <c>name/node</c>).</summary>
    public IReadOnlyDictionary<string, long> Collect()
    {
        _latest.Clear();
        _listener.RecordObservableInstruments();
        return new Dictionary<string, long>(_latest);
    }

    public void Dispose() => _listener.Dispose();

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }

    private void Observe(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var pool = Tag(tags, "actorpool.pool");
        if (!Matches(pool))
        {
            return;
        }

        _pools[pool!] = 0;
        var detail = Tag(tags, "actorpool.outcome") ?? Tag(tags, "actorpool.node");
        _latest[detail is null ? instrument.Name : $"{instrument.Name}/{detail}"] = value;
    }

    private bool Matches(string? pool) => pool is not null && (_byPrefix ? pool.StartsWith(Pool, StringComparison.Ordinal) : pool == Pool);
}
