namespace ActorPool.Tests;

public sealed class WorkerPoolWaitTests
{
    [Fact]
    public async Task WaitAsync_must_complete_once_every_task_accepted_before_it_has_an_outcome()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2 });
        pool.Start();
        var release = TestSignals.NewGate();
        for (var i = 0; i < 5; i++)
        {
            await pool.SubmitAsync(_ => release.Task);
        }

        var waiting = pool.WaitAsync();
        var later = TestSignals.NewGate();
        await pool.SubmitAsync(_ => later.Task); // accepted after the call: not waited for
        Assert.False(waiting.IsCompleted);

        release.TrySetResult();
        await waiting.WaitAsync(TestSignals.Patience);

        Assert.Equal(5, pool.GetResults().Count);
        Assert.Equal(5, pool.GetStats().Succeeded);
        later.TrySetResult();
    }

    [Fact]
    public async Task WaitAsync_must_honour_its_token_and_return_at_once_on_a_stopped_or_empty_pool()
    {
        var pool = new WorkerPool(1);
        pool.Start();
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        var release = TestSignals.NewGate();
        await pool.SubmitAsync(_ => release.Task);
        using var giveUp = new CancellationTokenSource();
        var waiting = pool.WaitAsync(giveUp.Token);

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TestSignals.Patience));

        release.TrySetResult();
        await pool.StopAsync();
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
    }

    [Fact]
    public async Task OnCompleted_must_be_called_once_with_the_recorded_result()
    {
        await using var pool = new WorkerPool(1);
        pool.Start();
        var calls = new System.Collections.Concurrent.ConcurrentBag<TaskResult>();
        var id = await pool.SubmitAsync(_ => throw new InvalidOperationException("boom"), new TaskOptions { Id = "job-7", OnCompleted = calls.Add });
        await pool.StopAsync();

        var result = Assert.Single(calls);
        Assert.Equal((id, "job-7", TaskOutcome.Failed), (result.TaskId, result.Key, result.Outcome));
        Assert.Equal(result, pool.GetResults()[id]);
    }

    [Fact]
    public async Task A_group_must_throw_its_first_failure_and_cancel_the_rest()
    {
        await using var pool = new WorkerPool(2);
        pool.Start();
        using var group = new TaskGroup(pool);
        var siblingStarted = TestSignals.NewGate();
        var siblingCancelled = false;
        group.Go(async ct =>
        {
            siblingStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                siblingCancelled = true;
                throw;
            }
        });
        await siblingStarted.WaitAsync();
        var failNow = TestSignals.NewGate();
        var failing = TestSignals.NewGate();
        group.Go(async _ =>
        {
            failing.TrySetResult();
            await failNow.Task;
            throw new InvalidOperationException("first failure");
        });
        await failing.WaitAsync();

        // Both workers are busy: these wait in the queue and have not started when the failure comes.
        var queuedRuns = 0;
        for (var i = 0; i < 3; i++)
        {
            group.Go(
                _ =>
                {
                    Interlocked.Increment(ref queuedRuns);
                    return Task.CompletedTask;
                },
                new TaskOptions { Id = $"queued-{i}" });
        }

        await TestSignals.EventuallyAsync(() => pool.GetStats().Queued == 3, () => $"{pool.GetStats()}");
        failNow.TrySetResult();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => group.WaitAsync().WaitAsync(TestSignals.Patience));

        Assert.Equal("first failure", error.Message);
        Assert.True(siblingCancelled);
        await pool.StopAsync();
        Assert.Equal(0, queuedRuns);
        var queued = pool.GetResults().Values.Where(r => r.Key?.StartsWith("queued-", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(3, queued.Count);
        Assert.All(queued, r => Assert.Equal((TaskOutcome.Cancelled, 0), (r.Outcome, r.Attempts)));
        var stats = pool.GetStats();
        Assert.Equal((1, 4, 0), (stats.Failed, stats.Cancelled, stats.Succeeded));
        Assert.Equal(stats.Submitted, stats.Failed + stats.Cancelled + stats.Succeeded + stats.Rejected);
    }

    [Fact]
    public async Task A_group_collecting_all_errors_must_run_everything_and_throw_them_together()
    {
        await using var pool = new WorkerPool(2);
        pool.Start();
        using var group = new TaskGroup(pool, collectAllErrors: true);
        var succeeded = 0;
        group.Go(_ => throw new InvalidOperationException("one"));
        group.Go(_ => throw new ArgumentException("two"));
        for (var i = 0; i < 5; i++)
        {
            group.Go(_ =>
            {
                Interlocked.Increment(ref succeeded);
                return Task.CompletedTask;
            });
        }

        var error = await Assert.ThrowsAsync<AggregateException>(() => group.WaitAsync());

        Assert.Equal(["one", "two"], error.InnerExceptions.Select(e => e.Message).Order());
        Assert.Equal(5, succeeded);
    }

    [Fact]
    public async Task A_group_of_successes_must_complete_and_wait_for_tasks_added_from_inside()
    {
        await using var pool = new WorkerPool(2);
        pool.Start();
        using var group = new TaskGroup(pool);
        var done = 0;
        group.Go(_ =>
        {
            for (var i = 0; i < 3; i++)
            {
                group.Go(async _ =>
                {
                    await Task.Yield();
                    Interlocked.Increment(ref done);
                });
            }

            return Task.CompletedTask;
        });

        await group.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal(3, done);
    }
}
