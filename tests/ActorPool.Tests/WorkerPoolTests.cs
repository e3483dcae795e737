using System.Collections.Concurrent;

namespace ActorPool.Tests;

public sealed class WorkerPoolTests
{
    [Fact]
    public async Task Pool_must_run_ten_tasks_on_three_workers_and_record_each_success()
    {
        await using var pool = new WorkerPool(3);
        pool.Start();
        var ran = new ConcurrentBag<int>();

        var ids = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            var n = i;
            ids.Add(await pool.SubmitAsync(_ =>
            {
                ran.Add(n);
                return Task.CompletedTask;
            }));
        }

        await pool.StopAsync();

        Assert.Equal(10, ran.Count);
        Assert.Equal(10, ids.Distinct().Count());
        var results = pool.GetResults();
        Assert.Equal(ids.Order(), results.Keys.Order());
        Assert.All(results.Values, r =>
        {
            Assert.Equal(TaskOutcome.Succeeded, r.Outcome);
            Assert.Null(r.Error);
            Assert.Equal(1, r.Attempts);
        });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task Pool_with_zero_or_negative_workers_must_reject_every_submit_at_once(int workers)
    {
        var pool = new WorkerPool(workers);
        pool.Start();

        var submit = pool.SubmitAsync(_ => Task.CompletedTask);
        var error = await Assert.ThrowsAsync<SubmitRejectedException>(() => submit.WaitAsync(TimeSpan.FromSeconds(1)));

        Assert.Equal(RejectionReason.NoWorkers, error.Reason);
        await Assert.ThrowsAsync<SubmitRejectedException>(() => pool.RunAsync(_ => Task.FromResult(1)));
        await pool.StopAsync();
        await pool.StopAsync();
        Assert.Empty(pool.GetResults());
    }

    [Fact]
    public async Task Pool_must_reject_a_null_task_with_ArgumentNullException()
    {
        await using var pool = new WorkerPool(2);
        pool.Start();

        var submit = await Assert.ThrowsAsync<ArgumentNullException>(() => pool.SubmitAsync(null!));
        var run = await Assert.ThrowsAsync<ArgumentNullException>(() => pool.RunAsync<int>(null!));

        Assert.Equal("task", submit.ParamName);
        Assert.Equal("task", run.ParamName);
    }

    [Fact]
    public async Task Pool_must_reject_submit_after_stop_at_once()
    {
        var pool = new WorkerPool(2);
        pool.Start();
        await pool.StopAsync();

        var error = await Assert.ThrowsAsync<SubmitRejectedException>(
            () => pool.SubmitAsync(_ => Task.CompletedTask).WaitAsync(TimeSpan.FromSeconds(1)));

        Assert.Equal(RejectionReason.Stopped, error.Reason);
    }

    [Fact]
    public async Task Pool_must_run_5000_tasks_on_10_workers_with_unique_ids_and_one_result_each()
    {
        await using var pool = new WorkerPool(10);
        pool.Start();
        var meter = new ConcurrencyMeter();
        var executions = new ConcurrentDictionary<long, int>();

        var ids = new long[5000];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = await pool.SubmitAsync(async _ =>
            {
                using (meter.Enter())
                {
                    await Task.Yield();
                }
            });
        }

        await pool.StopAsync();

        var results = pool.GetResults();
        Assert.Equal(5000, ids.Distinct().Count());
        Assert.Equal(5000, results.Count);
        Assert.All(ids, id => Assert.Equal(TaskOutcome.Succeeded, results[id].Outcome));
        Assert.InRange(meter.Max, 1, 10);
    }

    [Fact]
    public async Task Pool_must_accept_20_concurrent_submitters_of_100_tasks_each()
    {
        await using var pool = new WorkerPool(10);
        pool.Start();
        var ran = 0;

        var submitters = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            var ids = new List<long>();
            for (var i = 0; i < 100; i++)
            {
                ids.Add(await pool.SubmitAsync(_ =>
                {
                    Interlocked.Increment(ref ran);
                    return Task.CompletedTask;
                }));
            }

            return ids;
        }));
        var all = (await Task.WhenAll(submitters)).SelectMany(ids => ids).ToList();
        await pool.StopAsync();

        Assert.Equal(2000, all.Count);
        Assert.Equal(2000, all.Distinct().Count());
        Assert.Equal(2000, ran);
        Assert.Equal(2000, pool.GetResults().Values.Count(r => r.Outcome == TaskOutcome.Succeeded));
    }

    [Fact]
    public async Task Concurrency_must_never_exceed_the_worker_count()
    {
        await using var pool = new WorkerPool(4);
        pool.Start();
        var meter = new ConcurrencyMeter();

        var runs = Enumerable.Range(0, 200).Select(_ => pool.RunAsync(async ct =>
        {
            using (meter.Enter())
            {
                await Task.Delay(1, ct);
                return 0;
            }
        }));
        await Task.WhenAll(runs);

        Assert.Equal(4, meter.Max);
    }

    [Fact]
    public async Task A_long_task_must_not_hold_short_ones_behind_it_while_other_workers_are_idle()
    {
        await using var pool = new WorkerPool(4);
        pool.Start();
        var release = TestSignals.NewGate();
        var longStarted = TestSignals.NewGate();
        var longTask = pool.RunAsync(async _ =>
        {
            longStarted.TrySetResult();
            await Task.WhenAny(release.Task, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
            return 0;
        });
        await longStarted.WaitAsync();

        var shorts = Enumerable.Range(0, 100).Select(i => pool.RunAsync(_ => Task.FromResult(i))).ToArray();
        await Task.WhenAll(shorts).WaitAsync(TestSignals.Patience);

        Assert.False(longTask.IsCompleted, "all 100 short tasks finished while the long one still ran");
        release.TrySetResult();
        await longTask;
    }

    [Fact]
    public async Task A_task_that_throws_must_be_recorded_failed_and_the_pool_must_keep_working()
    {
        await using var pool = new WorkerPool(1);
        pool.Start();
        var boom = new InvalidOperationException("boom");

        var failedId = await pool.SubmitAsync(_ => throw boom);
        var asyncFailure = await Assert.ThrowsAsync<FormatException>(() => pool.RunAsync<int>(async _ =>
        {
            await Task.Yield();
            throw new FormatException("bad");
        }));
        var after = await pool.RunAsync(_ => Task.FromResult(42));

        Assert.Equal("bad", asyncFailure.Message);
        Assert.Equal(42, after);
        await pool.StopAsync();
        var failed = pool.GetResults()[failedId];
        Assert.Equal(TaskOutcome.Failed, failed.Outcome);
        Assert.Same(boom, failed.Error);
    }

    [Fact]
    public async Task RunAsync_must_return_the_task_value()
    {
        await using var pool = new WorkerPool(2);
        pool.Start();

        var value = await pool.RunAsync(async ct =>
        {
            await Task.Yield();
            return "hello";
        });

        Assert.Equal("hello", value);
    }

    [Fact]
    public async Task A_task_past_its_timeout_must_see_its_token_cancelled_and_be_recorded_timed_out()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, TaskTimeout = TimeSpan.FromMilliseconds(100) });
        pool.Start();
        var sawCancellation = TestSignals.NewGate();

        var run = pool.RunAsync(async ct =>
        {
            await using var _ = ct.Register(() => sawCancellation.TrySetResult());
            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        });

        await Assert.ThrowsAsync<TimeoutException>(() => run);
        await sawCancellation.WaitAsync();
        var perTask = await Assert.ThrowsAsync<TimeoutException>(() => pool.RunAsync(
            _ => new TaskCompletionSource<int>().Task,
            new TaskOptions { Timeout = TimeSpan.FromMilliseconds(50) }));
        Assert.Contains("00:00:00.05", perTask.Message);
        await pool.StopAsync();
        Assert.All(pool.GetResults().Values, r => Assert.Equal(TaskOutcome.TimedOut, r.Outcome));
    }

    [Fact]
    public async Task Caller_key_must_be_kept_beside_the_task_id()
    {
        await using var pool = new WorkerPool(1);
        pool.Start();

        var id = await pool.SubmitAsync(_ => Task.CompletedTask, new TaskOptions { Id = "invoice-7" });
        await pool.StopAsync();

        Assert.Equal("invoice-7", pool.GetResults()[id].Key);
    }

    [Fact]
    public async Task Cancelling_RunAsync_must_cancel_the_running_task()
    {
        await using var pool = new WorkerPool(1);
        pool.Start();
        using var cts = new CancellationTokenSource();
        var started = TestSignals.NewGate();

        var run = pool.RunAsync(async ct =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        }, cancellationToken: cts.Token);
        await started.WaitAsync();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        await pool.StopAsync();
        Assert.Equal(TaskOutcome.Cancelled, Assert.Single(pool.GetResults()).Value.Outcome);
    }
}
