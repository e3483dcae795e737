using System.Collections.Concurrent;
using System.Diagnostics;

namespace ActorPool.Tests;

public sealed class WorkerPoolRateAndResizeTests
{
    /// <summary>Alone in its collection: a rate is a timing measurement, and tests running beside it starve the timers it needs.</summary>
    [Collection(nameof(ProcessWideMeasurements))]
    public sealed class Rate
    {
        [Fact]
        public Task The_start_rate_must_hold_within_ten_percent_over_two_seconds() => MeasureRateAsync();
    }

    private static async Task MeasureRateAsync()
    {
        const double Rate = 20;
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 4, TasksPerSecond = Rate, RateBurst = 1 });
        pool.Start();
        var clock = Stopwatch.StartNew();
        var starts = new ConcurrentQueue<TimeSpan>();
        var enough = TestSignals.NewGate();
        for (var i = 0; i < 60; i++)
        {
            await pool.SubmitAsync(_ =>
            {
                starts.Enqueue(clock.Elapsed);
                if (starts.Count >= 46)
                {
                    enough.TrySetResult();
                }

                return Task.CompletedTask;
            });
        }

        // The limit applies when tasks start, not when they are submitted.
        await TestSignals.EventuallyAsync(() => pool.GetStats().Queued > 30, () => $"{pool.GetStats()}");
        await enough.WaitAsync();
        var times = starts.ToArray();

        // 40 intervals after the initial burst: about 2 s at 20 tasks/s.
        var measured = 40 / (times[45] - times[5]).TotalSeconds;
        Assert.InRange(measured, Rate * 0.9, Rate * 1.1);
    }

    [Fact]
    public async Task Growing_must_start_queued_work_at_once()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1 });
        pool.Start();
        var release = TestSignals.NewGate();
        var started = Enumerable.Range(0, 4).Select(_ => TestSignals.NewGate()).ToArray();
        foreach (var gate in started)
        {
            await pool.SubmitAsync(async _ =>
            {
                gate.TrySetResult();
                await release.Task;
            });
        }

        await started[0].WaitAsync();
        Assert.False(started[1].Task.IsCompleted);

        pool.Resize(4);
        await Task.WhenAll(started.Select(s => s.Task)).WaitAsync(TestSignals.Patience);
        Assert.Equal(4, pool.Workers);
        await TestSignals.EventuallyAsync(() => pool.GetStats().ActiveWorkers == 4, () => $"{pool.GetStats()}");
        release.TrySetResult();
    }

    [Fact]
    public async Task Shrinking_must_let_busy_workers_finish_and_then_run_fewer_at_once()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 4 });
        pool.Start();

        // Before: four tasks that hold their workers all start, so four ran at once.
        var before = new ConcurrencyMeter();
        var releaseBefore = TestSignals.NewGate();
        var startedBefore = await SubmitHoldingTasksAsync(pool, 4, before, releaseBefore);
        await Task.WhenAll(startedBefore).WaitAsync(TestSignals.Patience);
        Assert.Equal(4, before.Max);

        pool.Resize(1);
        Assert.Equal(1, pool.Workers);
        releaseBefore.TrySetResult();

        // After: three tasks that would all hold a worker at once if they could; one runs, two wait.
        var after = new ConcurrencyMeter();
        var releaseAfter = TestSignals.NewGate();
        var startedAfter = await SubmitHoldingTasksAsync(pool, 3, after, releaseAfter);
        await TestSignals.EventuallyAsync(() => pool.GetStats() is { Workers: 1, ActiveWorkers: 1, Queued: 2 }, () => $"{pool.GetStats()}");
        Assert.Equal(1, startedAfter.Count(s => s.IsCompleted));
        Assert.Equal(1, after.Max);
        releaseAfter.TrySetResult();

        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        Assert.Equal(7, pool.GetStats().Succeeded);
        Assert.Equal(1, after.Max);
        Assert.Equal(1, pool.Workers);
    }

    /// <summary>Submits tasks that each enter <paramref name="meter"/> and hold their worker until <paramref name="release"/>; returns their start signals.</summary>
    private static async Task<Task[]> SubmitHoldingTasksAsync(WorkerPool pool, int count, ConcurrencyMeter meter, TaskCompletionSource release)
    {
        var started = new Task[count];
        for (var i = 0; i < count; i++)
        {
            var gate = TestSignals.NewGate();
            started[i] = gate.Task;
            await pool.SubmitAsync(async _ =>
            {
                using (meter.Enter())
                {
                    gate.TrySetResult();
                    await release.Task;
                }
            });
        }

        return started;
    }

    [Fact]
    public async Task The_resizer_must_grow_when_the_queue_backs_up_and_shrink_when_idle()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions
        {
            Workers = 1,
            Resizer = new ResizerOptions { LowerBound = 1, UpperBound = 4, Interval = TimeSpan.FromMilliseconds(50) },
        });
        pool.Start();
        var release = TestSignals.NewGate();
        for (var i = 0; i < 8; i++)
        {
            await pool.SubmitAsync(_ => release.Task);
        }

        await TestSignals.EventuallyAsync(() => pool.GetStats() is { Workers: 4, ActiveWorkers: 4 }, () => $"{pool.GetStats()}");
        release.TrySetResult();
        await pool.WaitAsync();
        await TestSignals.EventuallyAsync(() => pool.GetStats().Workers == 1, () => $"{pool.GetStats()}");
        Assert.Equal(8, pool.GetStats().Succeeded);
    }
}
