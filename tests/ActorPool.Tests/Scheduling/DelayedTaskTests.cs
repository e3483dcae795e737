using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace ActorPool.Tests.Scheduling;

/// <summary>
/// Tasks with <see cref="TaskOptions.NotBefore"/> or <see cref="TaskOptions.Delay"/>: they wait aside
/// on the pool's clock, holding no worker and no queue slot, then run; a stop or a cancel ends them
/// with one outcome. The clock is a <see cref="FakeTimeProvider"/>, so minutes pass at once.
/// </summary>
public sealed class DelayedTaskTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Delayed_tasks_must_hold_no_worker_and_no_queue_slot_until_their_time_then_run_in_submission_order()
    {
        var clock = new FakeTimeProvider(Start);
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, QueueSize = 1, Overflow = OverflowPolicy.Reject, TimeProvider = clock });
        pool.Start();
        var order = new ConcurrentQueue<int>();
        var later = new TaskOptions { Delay = TimeSpan.FromMinutes(10) };
        var delayed = new List<Task<int>>();
        for (var i = 0; i < 5; i++)
        {
            var n = i;
            delayed.Add(pool.RunAsync(_ =>
            {
                order.Enqueue(n);
                return Task.FromResult(n);
            }, later));
        }

        // Five delayed tasks in a queue of one under Reject: none took a slot, and the worker is free.
        Assert.Equal(42, await pool.RunAsync(_ => Task.FromResult(42)).WaitAsync(TestSignals.Patience));
        await TestSignals.EventuallyAsync(() => pool.GetStats().Delayed == 5, () => $"{pool.GetStats().Delayed} delayed");
        Assert.Equal(0, pool.GetStats().Queued);

        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Empty(order);
        Assert.All(delayed, task => Assert.False(task.IsCompleted));

        clock.Advance(TimeSpan.FromMinutes(1));
        var values = await Task.WhenAll(delayed).WaitAsync(TestSignals.Patience);
        Assert.Equal([0, 1, 2, 3, 4], values);
        Assert.Equal([0, 1, 2, 3, 4], order);
        await TestSignals.EventuallyAsync(() => pool.GetStats().Delayed == 0, () => $"{pool.GetStats().Delayed} still delayed");
    }

    [Fact]
    public async Task NotBefore_must_start_a_task_at_that_time_and_one_already_past_at_once()
    {
        var clock = new FakeTimeProvider(Start);
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2, TimeProvider = clock });
        pool.Start();
        var atTen = pool.RunAsync(_ => Task.FromResult(clock.GetUtcNow()), new TaskOptions { NotBefore = Start.AddHours(1) });
        var past = pool.RunAsync(_ => Task.FromResult(clock.GetUtcNow()), new TaskOptions { NotBefore = Start.AddHours(-1) });

        Assert.Equal(Start, await past.WaitAsync(TestSignals.Patience));
        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.False(atTen.IsCompleted, "a task ran before its NotBefore");
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(Start.AddHours(1), await atTen.WaitAsync(TestSignals.Patience));
    }

    [Fact]
    public async Task A_day_of_one_minute_delays_must_run_each_task_once_at_its_minute()
    {
        const int minutes = 24 * 60;
        var clock = new FakeTimeProvider(Start);
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2, TimeProvider = clock });
        pool.Start();
        var ranAt = new ConcurrentDictionary<int, DateTimeOffset>();
        using var ran = new SemaphoreSlim(0);
        for (var m = 1; m <= minutes; m++)
        {
            var minute = m;
            await pool.SubmitAsync(_ =>
            {
                ranAt.TryAdd(minute, clock.GetUtcNow());
                ran.Release();
                return Task.CompletedTask;
            }, new TaskOptions { Delay = TimeSpan.FromMinutes(minute) });
        }

        await TestSignals.EventuallyAsync(() => pool.GetStats().Delayed == minutes, () => $"{pool.GetStats().Delayed} delayed");
        for (var m = 1; m <= minutes; m++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            Assert.True(await ran.WaitAsync(TestSignals.Patience), $"the task of minute {m} did not run");
        }

        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        Assert.Equal(minutes, ranAt.Count);
        Assert.All(ranAt, run => Assert.Equal(Start.AddMinutes(run.Key), run.Value));
        Assert.Equal(minutes, pool.GetStats().Succeeded);
    }

    [Fact]
    public async Task Cancelling_a_delayed_task_by_id_or_by_its_callers_token_must_record_it_cancelled_unrun()
    {
        var clock = new FakeTimeProvider(Start);
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, TimeProvider = clock });
        pool.Start();
        var ran = 0;
        var later = new TaskOptions { Delay = TimeSpan.FromMinutes(5) };
        var byId = await pool.SubmitAsync(_ => Task.FromResult(Interlocked.Increment(ref ran)), later);
        using var giveUp = new CancellationTokenSource();
        var byToken = pool.RunAsync(_ => Task.FromResult(Interlocked.Increment(ref ran)), later, giveUp.Token);

        Assert.True(await pool.CancelAsync(byId).WaitAsync(TestSignals.Patience));
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => byToken.WaitAsync(TestSignals.Patience));
        clock.Advance(TimeSpan.FromMinutes(5));
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal(0, ran);
        Assert.Equal(TaskOutcome.Cancelled, pool.GetResults()[byId].Outcome);
        var stats = pool.GetStats();
        Assert.Equal((2L, 2L, 0), (stats.Submitted, stats.Cancelled, stats.Delayed));
    }

    [Fact]
    public async Task A_stop_must_not_wait_for_delayed_tasks_it_records_each_cancelled_and_the_books_balance()
    {
        var clock = new FakeTimeProvider(Start);
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2, TimeProvider = clock });
        pool.Start();
        var tomorrow = new TaskOptions { NotBefore = Start.AddDays(1) };
        var waiting = pool.RunAsync(_ => Task.FromResult(1), tomorrow);
        var submitted = await pool.SubmitAsync(_ => Task.CompletedTask, tomorrow);
        var now = pool.RunAsync(_ => Task.FromResult(2));
        Assert.Equal(2, await now.WaitAsync(TestSignals.Patience));

        await pool.StopAsync().WaitAsync(TestSignals.Patience);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TestSignals.Patience));
        var result = pool.GetResults()[submitted];
        Assert.Equal(TaskOutcome.Cancelled, result.Outcome);
        Assert.Contains("before the task's time (2026-12-02T09:00:00.0000000+00:00", result.Error!.Message, StringComparison.Ordinal);
        var stats = pool.GetStats();
        Assert.Equal((3L, 1L, 2L, 0), (stats.Submitted, stats.Succeeded, stats.Cancelled, stats.Delayed));
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Bad_delay_options_must_be_refused_at_submit_naming_them()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1 });
        pool.Start();

        var both = await Assert.ThrowsAsync<ArgumentException>(() => pool.SubmitAsync(_ => Task.CompletedTask, new TaskOptions { NotBefore = DateTimeOffset.UtcNow, Delay = TimeSpan.FromSeconds(1) }));
        Assert.Equal(nameof(TaskOptions.Delay), both.ParamName);
        Assert.Contains(nameof(TaskOptions.NotBefore), both.Message, StringComparison.Ordinal);

        var negative = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => pool.SubmitAsync(_ => Task.CompletedTask, new TaskOptions { Delay = TimeSpan.FromSeconds(-1) }));
        Assert.Equal(nameof(TaskOptions.Delay), negative.ParamName);
        Assert.Contains("-00:00:01", negative.Message, StringComparison.Ordinal);

        Assert.Equal(0, pool.GetStats().Submitted);
    }
}
