using System.Collections.Concurrent;

namespace ActorPool.Tests;

public sealed class WorkerPoolPriorityTests
{
    [Fact]
    public async Task With_priority_on_higher_priority_tasks_must_start_first_and_equals_in_order()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, EnablePriority = true });
        pool.Start();
        var blocker = await Blocker.OccupyAsync(pool, 1);
        var order = new ConcurrentQueue<string>();
        (string Name, int Priority)[] tasks = [("low-1", 1), ("high-1", 10), ("low-2", 1), ("mid", 5), ("high-2", 10), ("none", 0)];
        foreach (var (name, priority) in tasks)
        {
            await pool.SubmitAsync(
                _ =>
                {
                    order.Enqueue(name);
                    return Task.CompletedTask;
                },
                new TaskOptions { Priority = priority, Id = name });
        }

        await WhenQueuedAsync(pool);
        blocker.Release();
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal(["high-1", "high-2", "mid", "low-1", "low-2", "none"], order);
    }

    [Fact]
    public async Task With_priority_off_tasks_must_start_in_submission_order()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1 });
        pool.Start();
        var blocker = await Blocker.OccupyAsync(pool, 1);
        var order = new ConcurrentQueue<int>();
        foreach (var priority in new[] { 1, 10, 5 })
        {
            await pool.SubmitAsync(
                _ =>
                {
                    order.Enqueue(priority);
                    return Task.CompletedTask;
                },
                new TaskOptions { Priority = priority });
        }

        await WhenQueuedAsync(pool);
        blocker.Release();
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal([1, 10, 5], order);
    }

    /// <summary>Submits return once accepted; wait until the supervisor holds them all, so order is decided by the queue alone.</summary>
    private static Task WhenQueuedAsync(WorkerPool pool) =>
        TestSignals.EventuallyAsync(() => pool.GetStats().Queued == pool.GetStats().Submitted - pool.GetStats().ActiveWorkers, () => $"{pool.GetStats()}");
}
