using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace ActorPool.Hosting.Tests;

public sealed class MetricsTests : IDisposable
{
    private readonly string _pool = TestHosts.UniqueName("metrics");
    private readonly ConcurrentDictionary<string, long> _latest = new();
    private readonly ConcurrentQueue<double> _durations = new();
    private readonly MeterListener _listener = new();

    public MetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "ActorPool")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (Tag(tags, "actorpool.pool") == _pool)
            {
                var outcome = Tag(tags, "actorpool.outcome");
                _latest[outcome is null ? instrument.Name : $"{instrument.Name}/{outcome}"] = value;
            }
        });
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
        {
            if (Tag(tags, "actorpool.pool") == _pool)
            {
                _latest[instrument.Name] = value;
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (Tag(tags, "actorpool.pool") == _pool && instrument.Name == "actorpool.task.duration")
            {
                _durations.Enqueue(value);
            }
        });
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task A_host_registered_pool_must_publish_its_instruments_tagged_with_its_name()
    {
        using var host = TestHosts.Build(_pool, o =>
        {
            o.Workers = 1;
            o.QueueSize = 1;
            o.Overflow = OverflowPolicy.Reject;
        });
        await host.StartAsync();
        var pool = host.Services.GetRequiredKeyedService<IWorkerPool>(_pool);
        var release = TestHosts.NewGate();
        var running = TestHosts.NewGate();
        await pool.SubmitAsync(async _ =>
        {
            running.TrySetResult();
            await release.Task;
        });
        await running.WaitAsync();
        await pool.SubmitAsync(_ => throw new InvalidOperationException("boom"));
        await Assert.ThrowsAsync<SubmitRejectedException>(() => pool.SubmitAsync(_ => Task.CompletedTask));

        // Submits return once accepted; the gauges move when the supervisor has queued them.
        await TestHosts.EventuallyAsync(() => pool.GetStats().Queued == 1, () => $"{pool.GetStats()}");

        _listener.RecordObservableInstruments();
        Assert.Equal(1, _latest["actorpool.queue.depth"]);
        Assert.Equal(1, _latest["actorpool.workers"]);
        Assert.Equal(1, _latest["actorpool.workers.active"]);
        Assert.Equal(1, _latest["actorpool.tasks.rejected"]);

        release.TrySetResult();
        await pool.WaitAsync().WaitAsync(TestHosts.Patience);
        _listener.RecordObservableInstruments();

        Assert.Equal(3, _latest["actorpool.tasks.submitted"]);
        Assert.Equal(1, _latest["actorpool.tasks.completed/succeeded"]);
        Assert.Equal(1, _latest["actorpool.tasks.completed/failed"]);
        Assert.Equal(1, _latest["actorpool.tasks.failed"]);
        Assert.Equal(0, _latest["actorpool.tasks.dropped"]);
        Assert.Equal(0, _latest["actorpool.tasks.retried"]);
        Assert.Equal(0, _latest["actorpool.workers.active"]);
        Assert.Equal(2, _durations.Count);
        Assert.All(_durations, seconds => Assert.InRange(seconds, 0, TestHosts.Patience.TotalSeconds));
        await host.StopAsync();
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
