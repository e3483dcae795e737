namespace ActorPool.Tests.Reliability;

/// <summary>
/// Issue 11, item 1: a task's deadline must hold whatever the delegate does with its thread.
/// The delegates here block or spin on purpose; that is the behaviour under test, not a way to wait.
/// </summary>
public sealed class TimeoutTests
{
    [Fact]
    public async Task A_blocking_task_must_be_recorded_TimedOut_at_its_deadline_not_when_it_returns()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1 });
        pool.Start();
        try
        {
            var returned = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);

            var run = pool.RunAsync(
                _ =>
                {
                    Thread.Sleep(3000); // far past the deadline, so a loaded machine's late timer still lands well before it
                    returned.TrySetResult(DateTimeOffset.UtcNow);
                    return Task.FromResult(0);
                },
                new TaskOptions { Timeout = TimeSpan.FromMilliseconds(100) });

            await Assert.ThrowsAsync<TimeoutException>(() => run.WaitAsync(TestSignals.Patience));
            var result = Assert.Single(pool.GetResults().Values);
            Assert.Equal(TaskOutcome.TimedOut, result.Outcome);
            Assert.IsType<TimeoutException>(result.Error);

            // When the outcome was recorded, measured inside the pool: at the deadline, while the
            // delegate still blocked its thread. (When the caller wakes depends on the thread pool
            // the blocked delegate is starving, which a loaded test run makes slow.)
            var recordedAt = result.StartedAt + result.Duration;
            Assert.InRange(result.Duration, TimeSpan.FromMilliseconds(90), TimeSpan.FromMilliseconds(2000));
            var returnedAt = await returned.Task.WaitAsync(TestSignals.Patience);
            Assert.True(recordedAt < returnedAt, $"recorded at {recordedAt:O}, after the delegate returned at {returnedAt:O}");
        }
        finally
        {
            await pool.StopQuietlyAsync();
        }
    }

    [Fact]
    public async Task A_synchronous_loop_must_see_its_token_cancelled_at_its_deadline_and_be_recorded_TimedOut()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, ShutdownTimeout = TimeSpan.FromSeconds(2) });
        pool.Start();

        // The test's own way out, so a loop whose token never fires does not spin for the rest of the run.
        using var escape = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var exitedByToken = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var outcome = new TaskCompletionSource<TaskResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await pool.SubmitAsync(
                ct =>
                {
                    while (!ct.IsCancellationRequested && !escape.IsCancellationRequested)
                    {
                        Thread.SpinWait(64);
                    }

                    exitedByToken.TrySetResult(ct.IsCancellationRequested);
                    return Task.CompletedTask;
                },
                new TaskOptions { Timeout = TimeSpan.FromMilliseconds(200), OnCompleted = r => outcome.TrySetResult(r) });

            Assert.True(await exitedByToken.Task.WaitAsync(TestSignals.Patience), "the loop's token was never cancelled; it spun until the test's own 5 s escape");
            var result = await outcome.Task.WaitAsync(TestSignals.Patience);
            Assert.Equal(TaskOutcome.TimedOut, result.Outcome);
            Assert.IsType<TimeoutException>(result.Error);
        }
        finally
        {
            await escape.CancelAsync();
            await pool.StopQuietlyAsync();
        }
    }

    [Fact]
    public async Task Concurrency_must_never_exceed_the_worker_count_while_a_timed_out_task_still_blocks_its_thread()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1 });
        pool.Start();
        var meter = new ConcurrencyMeter();
        using var unblock = new ManualResetEventSlim();
        try
        {
            var blockingOutcome = new TaskCompletionSource<TaskResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            await pool.SubmitAsync(
                _ =>
                {
                    using (meter.Enter())
                    {
                        unblock.Wait(TimeSpan.FromSeconds(5), CancellationToken.None); // ignores its token and holds its thread
                    }

                    return Task.CompletedTask;
                },
                new TaskOptions { Timeout = TimeSpan.FromMilliseconds(100), OnCompleted = r => blockingOutcome.TrySetResult(r) });

            // Must not start while the timed-out task still holds the only worker: it waits out its queue timeout.
            var waiterRan = false;
            var waiterOutcome = new TaskCompletionSource<TaskResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            await pool.SubmitAsync(
                _ =>
                {
                    using (meter.Enter())
                    {
                        waiterRan = true;
                    }

                    return Task.CompletedTask;
                },
                new TaskOptions { QueueTimeout = TimeSpan.FromMilliseconds(300), OnCompleted = r => waiterOutcome.TrySetResult(r) });

            var blocking = await blockingOutcome.Task.WaitAsync(TestSignals.Patience);
            Assert.Equal(TaskOutcome.TimedOut, blocking.Outcome);
            var waiter = await waiterOutcome.Task.WaitAsync(TestSignals.Patience);
            Assert.False(waiterRan, "a second task ran beside the timed-out one still blocking the only worker");
            Assert.Equal((TaskOutcome.TimedOut, 0), (waiter.Outcome, waiter.Attempts));

            unblock.Set();
            Assert.Equal(42, await pool.RunAsync(_ => Task.FromResult(42)).WaitAsync(TestSignals.Patience));
            Assert.Equal(1, meter.Max);
        }
        finally
        {
            unblock.Set();
            await pool.StopQuietlyAsync();
        }
    }
}
