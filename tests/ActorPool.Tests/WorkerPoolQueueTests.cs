namespace ActorPool.Tests;

public sealed class WorkerPoolQueueTests
{
    [Fact]
    public async Task Submit_to_a_full_queue_must_wait_for_room_and_honour_its_token()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, QueueSize = 2 });
        pool.Start();
        var release = TestSignals.NewGate();
        var started = TestSignals.NewGate();
        await pool.SubmitAsync(async _ =>
        {
            started.TrySetResult();
            await release.Task;
        });
        await started.WaitAsync();
        await pool.SubmitAsync(_ => Task.CompletedTask);
        await pool.SubmitAsync(_ => Task.CompletedTask);

        using var giveUp = new CancellationTokenSource();
        var cancelled = pool.SubmitAsync(_ => Task.CompletedTask, cancellationToken: giveUp.Token);
        var waiting = pool.SubmitAsync(_ => Task.CompletedTask);
        Assert.False(cancelled.IsCompleted);
        Assert.False(waiting.IsCompleted);

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TestSignals.Patience));
        Assert.False(waiting.IsCompleted, "a submit got room while the queue was still full");

        release.TrySetResult();
        var id = await waiting.WaitAsync(TestSignals.Patience);
        await pool.StopAsync();

        var results = pool.GetResults();
        Assert.Equal(4, results.Count);
        Assert.Equal(TaskOutcome.Succeeded, results[id].Outcome);
    }

    [Fact]
    public async Task RunAsync_callers_waiting_for_room_must_end_by_their_token_or_be_rejected_at_stop_never_run_and_counted()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, QueueSize = 1, ShutdownTimeout = TimeSpan.FromMilliseconds(200) });
        pool.Start();
        var started = TestSignals.NewGate();
        _ = pool.RunAsync(async _ =>
        {
            started.TrySetResult();
            await new TaskCompletionSource().Task;
            return 0;
        });
        await started.WaitAsync();
        _ = pool.RunAsync(_ => Task.FromResult(0)); // fills the queue
        var ran = 0;

        using var giveUp = new CancellationTokenSource();
        var withToken = pool.RunAsync(_ => Task.FromResult(Interlocked.Increment(ref ran)), cancellationToken: giveUp.Token);
        var withoutToken = pool.RunAsync(_ => Task.FromResult(Interlocked.Increment(ref ran)));
        Assert.False(withToken.IsCompleted, "a RunAsync to a full queue completed before there was room");

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => withToken.WaitAsync(TestSignals.Patience));
        Assert.False(withoutToken.IsCompleted, "a waiting RunAsync ended when another caller's token fired");

        await pool.StopAsync();
        var error = await Assert.ThrowsAsync<SubmitRejectedException>(() => withoutToken.WaitAsync(TestSignals.Patience));
        Assert.Equal(RejectionReason.Stopped, error.Reason);

        var stats = pool.GetStats();
        Assert.Equal(0, ran);
        Assert.Equal(4, stats.Submitted);
        Assert.Equal(2, stats.Rejected);
        Assert.Equal(stats.Submitted, stats.Succeeded + stats.Failed + stats.Cancelled + stats.TimedOut + stats.Dropped + stats.Rejected);
    }

    [Fact]
    public async Task Submits_racing_a_start_token_cancel_must_each_end_accepted_with_one_outcome_or_rejected_unrun()
    {
        // Acceptance needs no reply from the supervisor, so the race to check is the one with
        // the admission gate closing: an id returned means one outcome, a rejection means never run.
        using var lifetime = new CancellationTokenSource();
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 4 });
        pool.Start(lifetime.Token);
        var runs = new int[4000];
        var rejected = 0;
        var go = TestSignals.NewGate();

        var submits = Enumerable.Range(0, runs.Length).Select(i => Task.Run(async () =>
        {
            await go.Task;
            try
            {
                return await pool.SubmitAsync(_ =>
                {
                    Interlocked.Increment(ref runs[i]);
                    return Task.CompletedTask;
                });
            }
            catch (SubmitRejectedException)
            {
                Interlocked.Increment(ref rejected);
                return -i - 1;
            }
        })).ToArray();
        go.TrySetResult();
        await lifetime.CancelAsync();
        var ids = await Task.WhenAll(submits);
        await pool.StopAsync();

        var results = pool.GetResults();
        var accepted = ids.Where(id => id > 0).ToList();
        Assert.Equal(runs.Length, accepted.Count + rejected);
        Assert.Equal(accepted.Order(), results.Keys.Order());
        Assert.All(ids.Where(id => id < 0), id => Assert.Equal(0, runs[(int)(-id - 1)]));
        Assert.All(runs, count => Assert.InRange(count, 0, 1));
        Assert.Equal(results.Values.Count(r => r.Outcome == TaskOutcome.Succeeded), runs.Sum());
        var stats = pool.GetStats();
        Assert.Equal(stats.Submitted, stats.Succeeded + stats.Cancelled + stats.Rejected);
    }

    [Fact]
    public async Task Results_must_be_bounded_by_MaxRetainedResults_keeping_the_newest()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, MaxRetainedResults = 50 });
        pool.Start();

        var ids = new List<long>();
        for (var i = 0; i < 200; i++)
        {
            ids.Add(await pool.SubmitAsync(_ => Task.CompletedTask));
        }

        await pool.StopAsync();

        var results = pool.GetResults();
        Assert.Equal(50, results.Count);
        Assert.Equal(ids.TakeLast(50).Order(), results.Keys.Order());
    }

    [Fact]
    public async Task GetResults_must_return_a_copy_that_callers_can_change()
    {
        await using var pool = new WorkerPool(2);
        pool.Start();
        var id = await pool.SubmitAsync(_ => Task.CompletedTask);
        await pool.StopAsync();

        var copy = pool.GetResults();
        var writable = Assert.IsAssignableFrom<IDictionary<long, TaskResult>>(copy);
        writable.Clear();
        writable[-1] = new TaskResult(-1, TaskOutcome.Failed, null, TimeSpan.Zero, DateTimeOffset.MinValue, 0);

        var fresh = pool.GetResults();
        Assert.Single(fresh);
        Assert.True(fresh.ContainsKey(id));
    }

    [Fact]
    public async Task GetResults_while_ten_submitters_run_must_never_throw()
    {
        await using var pool = new WorkerPool(8);
        pool.Start();
        using var done = new CancellationTokenSource();

        var reader = Task.Run(() =>
        {
            var reads = 0;
            while (!done.IsCancellationRequested)
            {
                var snapshot = pool.GetResults();
                foreach (var (key, value) in snapshot)
                {
                    Assert.Equal(key, value.TaskId);
                }

                reads++;
            }

            return reads;
        });
        var submitters = Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                await pool.SubmitAsync(_ => Task.CompletedTask);
            }
        }));
        await Task.WhenAll(submitters);
        await pool.StopAsync();
        await done.CancelAsync();

        Assert.True(await reader > 0);
        Assert.Equal(2000, pool.GetResults().Count);
    }
}
