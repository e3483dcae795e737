namespace ActorPool.Tests.Reliability;

/// <summary>Issue 11, item 7: <see cref="TimeSpan.MaxValue"/> as a duration means "no limit", never "at once" or an overflow.</summary>
public sealed class InfiniteDurationTests
{
    public enum Limit
    {
        TaskTimeout,
        TaskQueueTimeout,
        PoolTaskTimeout,
        PoolQueueTimeout,
    }

    [Theory]
    [InlineData(Limit.TaskTimeout)]
    [InlineData(Limit.TaskQueueTimeout)]
    [InlineData(Limit.PoolTaskTimeout)]
    [InlineData(Limit.PoolQueueTimeout)]
    public async Task A_MaxValue_timeout_must_mean_no_limit_for_a_queued_and_then_running_task(Limit limit)
    {
        var max = TimeSpan.MaxValue;
        var pool = new WorkerPool(new WorkerPoolOptions
        {
            Workers = 2,
            TaskTimeout = limit == Limit.PoolTaskTimeout ? max : null,
            QueueTimeout = limit == Limit.PoolQueueTimeout ? max : null,
        });
        var subjectOptions = new TaskOptions
        {
            Timeout = limit == Limit.TaskTimeout ? max : null,
            QueueTimeout = limit == Limit.TaskQueueTimeout ? max : null,
        };
        pool.Start();
        Blocker? blocker = null;
        var release = TestSignals.NewGate();
        try
        {
            blocker = await Blocker.OccupyAsync(pool, 2);
            var subjectStarted = TestSignals.NewGate();
            var subject = pool.RunAsync(
                async _ =>
                {
                    subjectStarted.TrySetResult();
                    await release.Task;
                    return 42;
                },
                subjectOptions);

            // Witnesses with a 100 ms limit: once the pool has timed them out, a limit that wrongly
            // fires early would have fired on the subject too, first while it waits, then while it runs.
            var queueWitness = await WitnessAsync(pool, new TaskOptions { QueueTimeout = TimeSpan.FromMilliseconds(100) });
            Assert.Equal((TaskOutcome.TimedOut, 0), (queueWitness.Outcome, queueWitness.Attempts));
            Assert.False(subject.IsCompleted, $"the subject ended while it waited: {Describe(pool, subject)}");

            blocker.Release();
            await subjectStarted.WaitAsync();
            var runWitness = await WitnessAsync(pool, new TaskOptions { Timeout = TimeSpan.FromMilliseconds(100) });
            Assert.Equal(TaskOutcome.TimedOut, runWitness.Outcome);
            Assert.NotEqual(0, runWitness.Attempts);
            Assert.False(subject.IsCompleted, $"the subject ended while it ran: {Describe(pool, subject)}");

            release.TrySetResult();
            Assert.Equal(42, await subject.WaitAsync(TestSignals.Patience));
        }
        finally
        {
            blocker?.Release();
            release.TrySetResult();
            await pool.StopQuietlyAsync();
        }
    }

    [Fact]
    public async Task A_MaxValue_shutdown_timeout_must_let_stop_wait_for_the_running_task()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, ShutdownTimeout = TimeSpan.MaxValue });
        pool.Start();
        var release = TestSignals.NewGate();
        try
        {
            var started = TestSignals.NewGate();
            var id = await pool.SubmitAsync(async _ =>
            {
                started.TrySetResult();
                await release.Task;
            });
            await started.WaitAsync();

            var stop = pool.StopAsync();
            Assert.False(stop.IsCompleted, "stop returned while the task still ran");
            release.TrySetResult();
            await stop.WaitAsync(TestSignals.Patience);

            Assert.Equal(TaskOutcome.Succeeded, pool.GetResults()[id].Outcome);
        }
        finally
        {
            release.TrySetResult();
            await pool.StopQuietlyAsync();
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_MaxValue_ask_timeout_must_not_break_stop(bool ownSystem)
    {
        var system = ownSystem ? null : TestPools.NewSystem();
        var options = new WorkerPoolOptions { Workers = 1, AskTimeout = TimeSpan.MaxValue };
        var pool = system is null ? new WorkerPool(options) : WorkerPool.Create(system, options, "ask-max");
        pool.Start();
        try
        {
            Assert.Equal(42, await pool.RunAsync(_ => Task.FromResult(42)).WaitAsync(TestSignals.Patience));

            await pool.StopAsync().WaitAsync(TestSignals.Patience);

            Assert.True(pool.GetStats().IsStopped);
        }
        finally
        {
            await pool.StopQuietlyAsync();
            if (system is not null)
            {
                await system.TerminateQuietlyAsync();
            }
        }
    }

    /// <summary>Submits a task that waits on its token forever and returns its outcome once recorded.</summary>
    private static async Task<TaskResult> WitnessAsync(WorkerPool pool, TaskOptions limits)
    {
        var outcome = new TaskCompletionSource<TaskResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await pool.SubmitAsync(
            ct => Task.Delay(Timeout.Infinite, ct),
            new TaskOptions { Timeout = limits.Timeout, QueueTimeout = limits.QueueTimeout, OnCompleted = r => outcome.TrySetResult(r) });
        return await outcome.Task.WaitAsync(TestSignals.Patience);
    }

    private static string Describe(WorkerPool pool, Task<int> subject) =>
        subject.IsFaulted ? subject.Exception!.InnerException!.Message : string.Join("; ", pool.GetResults().Values);
}
