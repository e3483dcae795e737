using System.Diagnostics;

namespace ActorPool.Tests.Reliability;

/// <summary>
/// Issue 11, item 3: a task's cancellation callback that throws is user code; it must not reach
/// an actor's receive, cost an outcome, change the outcome's kind, or hold a stop.
/// </summary>
public sealed class CancellationCallbackTests
{
    [Fact]
    public async Task A_throwing_callback_at_the_shutdown_timeout_must_not_lose_outcomes_or_hold_the_stop()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 3, ShutdownTimeout = TimeSpan.FromMilliseconds(300) });
        pool.Start();
        try
        {
            var ids = await SubmitThrowingCallbackTasksAsync(pool, count: 3, options: null);
            var clock = Stopwatch.StartNew();

            await pool.StopAsync().WaitAsync(TestSignals.Patience);

            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
            var results = pool.GetResults();
            Assert.Equal(3, results.Count);
            Assert.All(ids, id => Assert.Equal(TaskOutcome.TimedOut, results[id].Outcome));
            pool.GetStats().AssertBooksBalance();
        }
        finally
        {
            await pool.StopQuietlyAsync();
        }
    }

    [Fact]
    public async Task A_throwing_callback_at_a_task_timeout_must_leave_the_task_TimedOut_and_the_pool_running()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1 });
        pool.Start();
        try
        {
            var ids = await SubmitThrowingCallbackTasksAsync(pool, count: 3, new TaskOptions { Timeout = TimeSpan.FromMilliseconds(200) }, waitUntilRunning: false);

            foreach (var id in ids)
            {
                var result = await pool.ResultOfAsync(id);
                Assert.Equal(TaskOutcome.TimedOut, result.Outcome);
                Assert.IsType<TimeoutException>(result.Error);
            }

            Assert.Equal(42, await pool.RunAsync(_ => Task.FromResult(42)).WaitAsync(TestSignals.Patience));
            var clock = Stopwatch.StartNew();
            await pool.StopAsync().WaitAsync(TestSignals.Patience);
            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
            var stats = pool.GetStats();
            stats.AssertBooksBalance();
            Assert.Equal((3, 1), (stats.TimedOut, stats.Succeeded));
        }
        finally
        {
            await pool.StopQuietlyAsync();
        }
    }

    [Fact]
    public async Task A_throwing_callback_when_the_start_token_fires_must_not_lose_outcomes()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 3, ShutdownTimeout = TimeSpan.FromMilliseconds(300) });
        using var lifetime = new CancellationTokenSource();
        pool.Start(lifetime.Token);
        try
        {
            var running = await SubmitThrowingCallbackTasksAsync(pool, count: 3, options: null);
            var queuedRuns = 0;
            var queued = new List<long>();
            for (var i = 0; i < 2; i++)
            {
                queued.Add(await pool.SubmitAsync(_ =>
                {
                    Interlocked.Increment(ref queuedRuns);
                    return Task.CompletedTask;
                }));
            }

            // Whether the callbacks' exception reaches whoever cancels the token is not the point here: outcomes are.
            _ = Record.Exception(lifetime.Cancel);
            var clock = Stopwatch.StartNew();
            await pool.StopAsync().WaitAsync(TestSignals.Patience);

            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
            var results = pool.GetResults();
            Assert.Equal(5, results.Count);
            Assert.All(running.Concat(queued), id => Assert.Equal(TaskOutcome.Cancelled, results[id].Outcome));
            Assert.All(queued, id => Assert.Equal(0, results[id].Attempts));
            Assert.Equal(0, queuedRuns);
            pool.GetStats().AssertBooksBalance();
        }
        finally
        {
            await pool.StopQuietlyAsync();
        }
    }

    /// <summary>Submits tasks that register a throwing callback and wait on their token forever; by default waits until all run.</summary>
    private static async Task<List<long>> SubmitThrowingCallbackTasksAsync(WorkerPool pool, int count, TaskOptions? options, bool waitUntilRunning = true)
    {
        var ids = new List<long>();
        var started = new List<Task>();
        for (var i = 0; i < count; i++)
        {
            var gate = TestSignals.NewGate();
            started.Add(gate.Task);
            ids.Add(await pool.SubmitAsync(
                async ct =>
                {
                    ct.Register(() => throw new InvalidOperationException("boom"));
                    gate.TrySetResult();
                    await Task.Delay(Timeout.Infinite, ct);
                },
                options));
        }

        if (waitUntilRunning)
        {
            await Task.WhenAll(started).WaitAsync(TestSignals.Patience);
        }

        return ids;
    }
}
