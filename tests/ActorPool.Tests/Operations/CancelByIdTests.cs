namespace ActorPool.Tests.Operations;

/// <summary><see cref="IWorkerPool.CancelAsync"/> on a local pool: one task, found by its id, wherever it waits or runs.</summary>
public sealed class CancelByIdTests
{
    [Fact]
    public async Task A_queued_task_cancelled_by_id_must_be_recorded_cancelled_without_running()
    {
        var gate = TestSignals.NewGate();
        var ranSecond = false;
        await using var pool = new WorkerPool(1);
        pool.Start();
        var first = await pool.SubmitAsync(_ => gate.Task);
        var second = await pool.SubmitAsync(_ =>
        {
            ranSecond = true;
            return Task.CompletedTask;
        });

        Assert.True(await pool.CancelAsync(second));
        gate.TrySetResult();
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        var results = pool.GetResults();
        Assert.Equal(TaskOutcome.Succeeded, results[first].Outcome);
        Assert.Equal(TaskOutcome.Cancelled, results[second].Outcome);
        Assert.Equal(0, results[second].Attempts);
        Assert.Contains($"Task {second}", results[second].Error!.Message, StringComparison.Ordinal);
        Assert.False(ranSecond);
        var stats = pool.GetStats();
        Assert.Equal(stats.Submitted, stats.Succeeded + stats.Failed + stats.Cancelled + stats.TimedOut + stats.Dropped + stats.Rejected);
    }

    [Fact]
    public async Task A_running_task_cancelled_by_id_must_see_its_token_fire_and_end_cancelled_not_retried()
    {
        var started = TestSignals.NewGate();
        var runs = 0;
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2, MaxAttempts = 3 });
        pool.Start();
        var run = pool.RunAsync(
            async token =>
            {
                Interlocked.Increment(ref runs);
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, token);
                return 1;
            });
        await started.WaitAsync();
        var id = Assert.Single(await ((ActorPool.Diagnostics.IPoolInspection)pool).GetPendingAsync(10)).Id;

        Assert.True(await pool.CancelAsync(id));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TestSignals.Patience));
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        Assert.Equal(TaskOutcome.Cancelled, pool.GetResults()[id].Outcome);
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task Cancelling_one_running_task_must_leave_its_neighbours_running()
    {
        var started = new CountdownEvent(2);
        var release = TestSignals.NewGate();
        await using var pool = new WorkerPool(2);
        pool.Start();
        var cancelled = await pool.SubmitAsync(async token =>
        {
            started.Signal();
            await Task.Delay(Timeout.Infinite, token);
        });
        var neighbour = await pool.SubmitAsync(async token =>
        {
            started.Signal();
            await release.Task.WaitAsync(token);
        });
        await TestSignals.EventuallyAsync(() => started.CurrentCount == 0, () => "started.CurrentCount == 0");

        Assert.True(await pool.CancelAsync(cancelled));
        await TestSignals.EventuallyAsync(() => pool.GetResults().ContainsKey(cancelled), () => "pool.GetResults().ContainsKey(cancelled)");
        Assert.False(pool.GetResults().ContainsKey(neighbour));
        release.TrySetResult();
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal(TaskOutcome.Cancelled, pool.GetResults()[cancelled].Outcome);
        Assert.Equal(TaskOutcome.Succeeded, pool.GetResults()[neighbour].Outcome);
    }

    [Fact]
    public async Task A_task_waiting_for_its_retry_cancelled_by_id_must_not_run_again()
    {
        var runs = 0;
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, MaxAttempts = 5, RetryBackoff = TimeSpan.FromMinutes(5), MaxRetryBackoff = TimeSpan.FromMinutes(5) });
        pool.Start();
        var id = await pool.SubmitAsync(_ =>
        {
            Interlocked.Increment(ref runs);
            throw new InvalidOperationException("flaky");
        });
        await TestSignals.EventuallyAsync(() => pool.GetStats().Retried == 1, () => "pool.GetStats().Retried == 1");

        Assert.True(await pool.CancelAsync(id));
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal(TaskOutcome.Cancelled, pool.GetResults()[id].Outcome);
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task Cancelling_an_unknown_or_finished_task_must_answer_false_and_change_nothing()
    {
        await using var pool = new WorkerPool(1);
        pool.Start();
        var done = await pool.SubmitAsync(_ => Task.CompletedTask);
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.False(await pool.CancelAsync(done));
        Assert.False(await pool.CancelAsync(12345));
        Assert.Equal(TaskOutcome.Succeeded, pool.GetResults()[done].Outcome);
        Assert.Equal(0, pool.GetStats().Cancelled);
    }

    [Fact]
    public async Task A_task_waiting_aside_for_its_concurrency_key_can_be_cancelled_by_id()
    {
        var gate = TestSignals.NewGate();
        var options = new WorkerPoolOptions { Workers = 2 };
        options.ConcurrencyLimits["k"] = 1;
        await using var pool = new WorkerPool(options);
        pool.Start();
        var keyed = new TaskOptions { ConcurrencyKey = "k" };
        var holder = await pool.SubmitAsync(_ => gate.Task, keyed);
        var aside = await pool.SubmitAsync(_ => Task.CompletedTask, keyed);
        await TestSignals.EventuallyAsync(() => pool.GetStats().WaitingForKey == 1, () => "pool.GetStats().WaitingForKey == 1");

        Assert.True(await pool.CancelAsync(aside));
        gate.TrySetResult();
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal(TaskOutcome.Succeeded, pool.GetResults()[holder].Outcome);
        Assert.Equal(TaskOutcome.Cancelled, pool.GetResults()[aside].Outcome);
        Assert.Equal(0, pool.GetStats().WaitingForKey);
    }

    [Fact]
    public async Task The_pending_list_must_show_running_tasks_first_then_queued_ones()
    {
        var gate = TestSignals.NewGate();
        var options = new WorkerPoolOptions { Workers = 1 };
        options.Handlers.Add<string>("wait", (_, _) => gate.Task);
        await using var pool = new WorkerPool(options);
        pool.Start();
        var running = await pool.SubmitAsync("wait", "a");
        var queued = await pool.SubmitAsync(_ => Task.CompletedTask, new TaskOptions { Id = "second" });
        await TestSignals.EventuallyAsync(() => pool.GetStats().ActiveWorkers == 1, () => "pool.GetStats().ActiveWorkers == 1");

        var pending = await ((ActorPool.Diagnostics.IPoolInspection)pool).GetPendingAsync(10);
        gate.TrySetResult();

        Assert.Collection(
            pending,
            first => Assert.Equal((running, true, "wait"), (first.Id, first.Running, first.Handler)),
            second => Assert.Equal((queued, false, "second"), (second.Id, second.Running, second.Key)));
    }
}
