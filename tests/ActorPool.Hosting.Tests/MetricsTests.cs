using Microsoft.Extensions.DependencyInjection;

namespace ActorPool.Hosting.Tests;

public sealed class MetricsTests : IDisposable
{
    private readonly string _pool = TestHosts.UniqueName("metrics");
    private readonly PoolMeterListener _listener;

    public MetricsTests() => _listener = new PoolMeterListener(_pool);

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
        var release = TestSignals.NewGate();
        var running = TestSignals.NewGate();
        await pool.SubmitAsync(async _ =>
        {
            running.TrySetResult();
            await release.Task;
        });
        await running.WaitAsync();
        await pool.SubmitAsync(_ => throw new InvalidOperationException("boom"));
        await Assert.ThrowsAsync<SubmitRejectedException>(() => pool.SubmitAsync(_ => Task.CompletedTask));

        // Submits return once accepted; the gauges move when the supervisor has queued them.
        await TestSignals.EventuallyAsync(() => pool.GetStats().Queued == 1, () => $"{pool.GetStats()}");

        var latest = _listener.Collect();
        Assert.Equal(1, latest["actorpool.queue.depth"]);
        Assert.Equal(1, latest["actorpool.workers"]);
        Assert.Equal(1, latest["actorpool.workers.active"]);
        Assert.Equal(1, latest["actorpool.tasks.rejected"]);

        release.TrySetResult();
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        latest = _listener.Collect();

        Assert.Equal(3, latest["actorpool.tasks.submitted"]);
        Assert.Equal(1, latest["actorpool.tasks.completed/succeeded"]);
        Assert.Equal(1, latest["actorpool.tasks.completed/failed"]);
        Assert.Equal(1, latest["actorpool.tasks.failed"]);
        Assert.Equal(0, latest["actorpool.tasks.dropped"]);
        Assert.Equal(0, latest["actorpool.tasks.retried"]);
        Assert.Equal(0, latest["actorpool.workers.active"]);
        Assert.Equal(2, _listener.Durations.Count);
        Assert.All(_listener.Durations, seconds => Assert.InRange(seconds, 0, TestSignals.Patience.TotalSeconds));
        await host.StopAsync();
    }
}
