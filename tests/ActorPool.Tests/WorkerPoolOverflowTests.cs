namespace ActorPool.Tests;

public sealed class WorkerPoolOverflowTests
{
    [Fact]
    public async Task Reject_must_throw_queue_full_at_once_and_count_it()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, QueueSize = 2, Overflow = OverflowPolicy.Reject });
        pool.Start();
        var blocker = await Blocker.OccupyAsync(pool, 1);
        await pool.SubmitAsync(_ => Task.CompletedTask);
        await pool.SubmitAsync(_ => Task.CompletedTask);

        var error = await Assert.ThrowsAsync<SubmitRejectedException>(() => pool.SubmitAsync(_ => Task.CompletedTask));
        Assert.Equal(RejectionReason.QueueFull, error.Reason);
        await TestSignals.EventuallyAsync(() => pool.GetStats().Queued == 2, () => $"{pool.GetStats()}");

        blocker.Release();
        await pool.StopAsync();
        var stats = pool.GetStats();
        Assert.Equal(4, stats.Submitted);
        Assert.Equal(1, stats.Rejected);
        Assert.Equal(3, stats.Succeeded);
    }

    [Fact]
    public async Task DropOldest_must_record_the_oldest_waiting_task_dropped_and_accept_the_new_one()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, QueueSize = 2, Overflow = OverflowPolicy.DropOldest });
        pool.Start();
        var blocker = await Blocker.OccupyAsync(pool, 1);
        var ran = new System.Collections.Concurrent.ConcurrentBag<string>();
        var dropped = new TaskCompletionSource<TaskResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = await pool.SubmitAsync(_ => Run("first"), new TaskOptions { Id = "first", OnCompleted = r => dropped.TrySetResult(r) });
        var droppedRun = pool.RunAsync(_ => Task.FromResult(Run("second")), new TaskOptions { Id = "second" });
        await pool.SubmitAsync(_ => Run("third"));
        await pool.SubmitAsync(_ => Run("fourth"));

        var result = await dropped.Task.WaitAsync(TestSignals.Patience);
        Assert.Equal(TaskOutcome.Dropped, result.Outcome);
        Assert.Equal(first, result.TaskId);
        var error = await Assert.ThrowsAsync<SubmitRejectedException>(() => droppedRun.WaitAsync(TestSignals.Patience));
        Assert.Equal(RejectionReason.QueueFull, error.Reason);

        blocker.Release();
        await pool.StopAsync();
        Assert.Equal(["fourth", "third"], ran.Order());
        var stats = pool.GetStats();
        Assert.Equal((Submitted: 5L, Dropped: 2L, Succeeded: 3L, Rejected: 0L), (stats.Submitted, stats.Dropped, stats.Succeeded, stats.Rejected));

        Task Run(string name)
        {
            ran.Add(name);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task TrySubmit_must_return_false_without_throwing_for_a_full_queue_a_stopped_pool_or_no_workers()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, QueueSize = 1 });
        pool.Start();
        var blocker = await Blocker.OccupyAsync(pool, 1);
        Assert.True(await pool.TrySubmitAsync(_ => Task.CompletedTask));

        var full = pool.TrySubmitAsync(_ => Task.CompletedTask);
        Assert.False(await full.WaitAsync(TestSignals.Patience), "TrySubmit waited for room or accepted past the bound");

        blocker.Release();
        await pool.StopAsync();
        Assert.False(await pool.TrySubmitAsync(_ => Task.CompletedTask));
        Assert.False(await new WorkerPool(0).TrySubmitAsync(_ => Task.CompletedTask));

        var stats = pool.GetStats();
        Assert.Equal((Submitted: 4L, Succeeded: 2L, Rejected: 2L), (stats.Submitted, stats.Succeeded, stats.Rejected));
    }

    [Fact]
    public async Task TrySubmit_must_still_reject_a_null_task()
    {
        await using var pool = new WorkerPool(1);
        await Assert.ThrowsAsync<ArgumentNullException>(() => pool.TrySubmitAsync(null!));
    }

    [Fact]
    public async Task Tasks_that_submit_to_their_own_full_blocking_pool_must_not_deadlock()
    {
        // Every worker submits from inside while the queue is full: a crawler queueing links.
        const int Workers = 3;
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = Workers, QueueSize = 1, Overflow = OverflowPolicy.Block });
        pool.Start();
        var crawled = 0;
        var started = 0;
        var allIn = TestSignals.NewGate();
        for (var i = 0; i < Workers; i++)
        {
            await pool.SubmitAsync(async ct =>
            {
                if (Interlocked.Increment(ref started) == Workers)
                {
                    allIn.TrySetResult();
                }

                await allIn.Task;
                for (var link = 0; link < 5; link++)
                {
                    await pool.SubmitAsync(
                        async inner =>
                        {
                            Interlocked.Increment(ref crawled);
                            await pool.SubmitAsync(_ => Task.CompletedTask, cancellationToken: inner);
                        },
                        cancellationToken: ct);
                }
            });
        }

        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        await pool.StopAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal(Workers * 5, crawled);
        var stats = pool.GetStats();
        Assert.Equal(Workers + (Workers * 5 * 2), stats.Succeeded);
        Assert.Equal(stats.Submitted, stats.Succeeded);
    }
}
