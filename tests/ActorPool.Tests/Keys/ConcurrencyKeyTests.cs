namespace ActorPool.Tests.Keys;

/// <summary>
/// <see cref="TaskOptions.ConcurrencyKey"/> on a local pool: at most the key's limit of its tasks run
/// at once, and a task over its limit waits aside instead of holding up tasks of other keys.
/// </summary>
public sealed class ConcurrencyKeyTests
{
    [Fact]
    public async Task A_key_limited_to_two_must_never_run_more_while_the_other_workers_stay_busy()
    {
        var limited = new ConcurrencyMeter();
        var others = new ConcurrencyMeter();
        var othersAllRunning = TestSignals.NewGate();
        var options = new WorkerPoolOptions { Workers = 8 };
        options.ConcurrencyLimits["tenant-42"] = 2;
        await using var pool = new WorkerPool(options);
        pool.Start();

        // Ten tasks of the limited key first, so a queue that blocked at its head would starve the rest.
        // All eight workers busy at once: two of the limited key beside six others. A queue blocked
        // at its head by the limited key, or a limit not kept, never gets there.
        void OpenWhenAllBusy()
        {
            if (limited.Current + others.Current == 8)
            {
                othersAllRunning.TrySetResult();
            }
        }

        var tenant = Enumerable.Range(0, 10).Select(_ => pool.RunAsync(
            async _ =>
            {
                using var running = limited.Enter();
                OpenWhenAllBusy();
                await othersAllRunning.Task;
                return true;
            },
            new TaskOptions { ConcurrencyKey = "tenant-42" })).ToArray();
        var rest = Enumerable.Range(0, 6).Select(i => pool.RunAsync(
            async _ =>
            {
                using var running = others.Enter();
                OpenWhenAllBusy();
                await othersAllRunning.Task;
                return true;
            },
            new TaskOptions { ConcurrencyKey = $"tenant-{i}" })).ToArray();

        await othersAllRunning.WaitAsync();
        var busy = pool.GetStats();
        await Task.WhenAll(tenant.Concat(rest)).WaitAsync(TestSignals.Patience);
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal(2, limited.Max);
        Assert.Equal(6, others.Max);
        Assert.Equal(16, pool.GetStats().Succeeded);
        Assert.True(busy.WaitingForKey <= 8, $"waiting for their key: {busy.WaitingForKey}");
    }

    [Fact]
    public async Task Tasks_over_their_keys_limit_must_show_as_waiting_for_their_key()
    {
        var release = TestSignals.NewGate();
        var options = new WorkerPoolOptions { Workers = 4, DefaultConcurrencyLimit = 1 };
        await using var pool = new WorkerPool(options);
        pool.Start();

        var runs = Enumerable.Range(0, 4).Select(_ => pool.RunAsync(
            async _ =>
            {
                await release.Task;
                return 1;
            },
            new TaskOptions { ConcurrencyKey = "unlisted" })).ToArray();

        await TestSignals.EventuallyAsync(
            () => pool.GetStats() is { ActiveWorkers: 1, WaitingForKey: 3, Queued: 3 },
            () => $"stats: {pool.GetStats()}");
        release.TrySetResult();
        await Task.WhenAll(runs).WaitAsync(TestSignals.Patience);
        Assert.Equal(0, pool.GetStats().WaitingForKey);
    }

    [Fact]
    public async Task A_stop_must_cancel_tasks_waiting_for_their_key_and_keep_the_books()
    {
        var release = TestSignals.NewGate();
        var options = new WorkerPoolOptions { Workers = 2, ShutdownTimeout = TimeSpan.FromSeconds(30) };
        options.ConcurrencyLimits["one-at-a-time"] = 1;
        var pool = new WorkerPool(options);
        pool.Start();
        using var stopping = new CancellationTokenSource();

        var first = pool.RunAsync(
            async token =>
            {
                await release.Task.WaitAsync(token);
                return 1;
            },
            new TaskOptions { ConcurrencyKey = "one-at-a-time" });
        var waiting = Enumerable.Range(0, 3).Select(_ => pool.RunAsync(_ => Task.FromResult(2), new TaskOptions { ConcurrencyKey = "one-at-a-time" })).ToArray();
        await TestSignals.EventuallyAsync(() => pool.GetStats().WaitingForKey == 3, () => $"stats: {pool.GetStats()}");

        await stopping.CancelAsync();
        await pool.StopAsync(stopping.Token).WaitAsync(TestSignals.Patience);

        foreach (var task in waiting)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.WaitAsync(TestSignals.Patience));
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(TestSignals.Patience));
        var stats = pool.GetStats();
        Assert.Equal(4, stats.Cancelled);
        Assert.Equal(stats.Submitted, stats.Succeeded + stats.Failed + stats.Cancelled + stats.TimedOut + stats.Dropped + stats.Rejected);
    }

    [Fact]
    public async Task A_task_waiting_for_its_key_must_time_out_by_its_queue_timeout()
    {
        var release = TestSignals.NewGate();
        var options = new WorkerPoolOptions { Workers = 2 };
        options.ConcurrencyLimits["slow"] = 1;
        await using var pool = new WorkerPool(options);
        pool.Start();

        var first = pool.RunAsync(
            async _ =>
            {
                await release.Task;
                return 1;
            },
            new TaskOptions { ConcurrencyKey = "slow" });
        var second = pool.RunAsync(_ => Task.FromResult(2), new TaskOptions { ConcurrencyKey = "slow", QueueTimeout = TimeSpan.FromMilliseconds(100) });

        await Assert.ThrowsAsync<TimeoutException>(() => second.WaitAsync(TestSignals.Patience));
        release.TrySetResult();
        Assert.Equal(1, await first.WaitAsync(TestSignals.Patience));
        Assert.Equal(0, pool.GetStats().WaitingForKey);
    }

    [Fact]
    public async Task Tasks_of_a_key_must_start_again_as_its_running_ones_end()
    {
        var options = new WorkerPoolOptions { Workers = 4 };
        options.ConcurrencyLimits["serial"] = 1;
        var concurrency = new ConcurrencyMeter();
        await using var pool = new WorkerPool(options);
        pool.Start();

        var runs = Enumerable.Range(0, 50).Select(i => pool.RunAsync(
            async _ =>
            {
                using var running = concurrency.Enter();
                await Task.Yield();
                return i;
            },
            new TaskOptions { ConcurrencyKey = "serial" })).ToArray();

        Assert.Equal(Enumerable.Range(0, 50), await Task.WhenAll(runs).WaitAsync(TestSignals.Patience));
        Assert.Equal(1, concurrency.Max);
    }

    [Fact]
    public void A_limit_below_one_must_be_refused_naming_its_key()
    {
        var options = new WorkerPoolOptions();
        options.ConcurrencyLimits["tenant-42"] = 0;

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal("ConcurrencyLimits[tenant-42]", error.ParamName);
        var fallback = Assert.Throws<ArgumentOutOfRangeException>(new WorkerPoolOptions { DefaultConcurrencyLimit = 0 }.Validate);
        Assert.Equal(nameof(WorkerPoolOptions.DefaultConcurrencyLimit), fallback.ParamName);
    }
}
