using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Akka.Actor;

namespace ActorPool.Tests.Diagnostics;

public sealed class PoolMetricsTests : IAsyncLifetime, IDisposable
{
    private readonly string _name = $"metrics-{Guid.NewGuid():N}";
    private readonly ConcurrentDictionary<string, long> _latest = new();
    private readonly ConcurrentQueue<double> _durations = new();
    private readonly MeterListener _listener = new();
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("metrics");
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "ActorPool")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (Tag(tags, "actorpool.pool") == _name)
            {
                var outcome = Tag(tags, "actorpool.outcome");
                _latest[outcome is null ? instrument.Name : $"{instrument.Name}/{outcome}"] = value;
            }
        });
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
        {
            if (Tag(tags, "actorpool.pool") == _name)
            {
                _latest[instrument.Name] = value;
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (Tag(tags, "actorpool.pool") == _name && instrument.Name == "actorpool.task.duration")
            {
                _durations.Enqueue(value);
            }
        });
        _listener.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _system.Terminate();

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task The_instruments_must_report_the_pool_figures_tagged_with_its_name()
    {
        var hooked = new ConcurrentBag<TaskResult>();
        var pool = WorkerPool.Create(_system, new WorkerPoolOptions { Workers = 1, QueueSize = 1, Overflow = OverflowPolicy.DropOldest, OnTaskCompleted = hooked.Add }, _name);
        pool.Start();
        var blocker = await Blocker.OccupyAsync(pool, 1);
        await pool.SubmitAsync(_ => Task.CompletedTask);
        await pool.SubmitAsync(_ => throw new InvalidOperationException("boom")); // drops the one before it
        await TestSignals.EventuallyAsync(() => pool.GetStats() is { Dropped: 1, Queued: 1 }, () => $"{pool.GetStats()}");

        _listener.RecordObservableInstruments();
        Assert.Equal(1, _latest["actorpool.queue.depth"]);
        Assert.Equal(1, _latest["actorpool.workers.active"]);
        Assert.Equal(1, _latest["actorpool.tasks.dropped"]);

        blocker.Release();
        await pool.WaitAsync();
        _listener.RecordObservableInstruments();

        Assert.Equal(3, _latest["actorpool.tasks.submitted"]);
        Assert.Equal(1, _latest["actorpool.tasks.completed/succeeded"]);
        Assert.Equal(1, _latest["actorpool.tasks.completed/failed"]);
        Assert.Equal(1, _latest["actorpool.tasks.completed/dropped"]);
        Assert.Equal(1, _latest["actorpool.tasks.failed"]);
        Assert.Equal(0, _latest["actorpool.tasks.rejected"]);
        Assert.Equal(0, _latest["actorpool.workers.active"]);
        Assert.Equal(2, _durations.Count); // the dropped task never ran
        Assert.All(_durations, seconds => Assert.InRange(seconds, 0, TestSignals.Patience.TotalSeconds));
        Assert.Equal(3, hooked.Count);

        await pool.StopAsync();
        _latest.Clear();
        _listener.RecordObservableInstruments();
        Assert.Empty(_latest); // a stopped pool leaves no instruments behind
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
