using System.Collections.Concurrent;
using Akka.Actor;

namespace ActorPool.Tests.Diagnostics;

public sealed class PoolMetricsTests : IAsyncLifetime, IDisposable
{
    private readonly string _name = $"metrics-{Guid.NewGuid():N}";
    private readonly PoolMeterListener _listener;
    private ActorSystem _system = null!;

    public PoolMetricsTests() => _listener = new PoolMeterListener(_name);

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("metrics");
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

        var latest = _listener.Collect();
        Assert.Equal(1, latest["actorpool.queue.depth"]);
        Assert.Equal(1, latest["actorpool.workers.active"]);
        Assert.Equal(1, latest["actorpool.tasks.dropped"]);

        blocker.Release();
        await pool.WaitAsync();
        latest = _listener.Collect();

        Assert.Equal(3, latest["actorpool.tasks.submitted"]);
        Assert.Equal(1, latest["actorpool.tasks.completed/succeeded"]);
        Assert.Equal(1, latest["actorpool.tasks.completed/failed"]);
        Assert.Equal(1, latest["actorpool.tasks.completed/dropped"]);
        Assert.Equal(1, latest["actorpool.tasks.failed"]);
        Assert.Equal(0, latest["actorpool.tasks.rejected"]);
        Assert.Equal(0, latest["actorpool.workers.active"]);
        Assert.Equal(2, _listener.Durations.Count); // the dropped task never ran
        Assert.All(_listener.Durations, seconds => Assert.InRange(seconds, 0, TestSignals.Patience.TotalSeconds));
        Assert.Equal(3, hooked.Count);

        await pool.StopAsync();
        Assert.Empty(_listener.Collect()); // a stopped pool leaves no instruments behind
    }
}
