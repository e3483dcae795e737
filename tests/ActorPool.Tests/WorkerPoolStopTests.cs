using System.Diagnostics;

namespace ActorPool.Tests;

public sealed class WorkerPoolStopTests
{
    [Fact]
    public async Task StopAsync_called_five_times_and_from_five_threads_at_once_must_never_throw()
    {
        var pool = new WorkerPool(3);
        pool.Start();
        await pool.SubmitAsync(ct => Task.Delay(20, ct));

        var concurrent = Enumerable.Range(0, 5).Select(_ => Task.Run(() => pool.StopAsync()));
        await Task.WhenAll(concurrent);
        for (var i = 0; i < 5; i++)
        {
            await pool.StopAsync();
        }

        await pool.DisposeAsync();
        Assert.Single(pool.GetResults());
    }

    [Fact]
    public async Task When_the_shared_actor_system_terminates_mid_drain_every_task_must_still_get_an_outcome_and_no_caller_wait_for_ever()
    {
        // The drain phase gives up after 1 s, well before the pool's 30 s shutdown timeout.
        var system = Akka.Actor.ActorSystem.Create("terminating", "akka.coordinated-shutdown.phases.service-requests-done.timeout = 1s");
        var pool = WorkerPool.Create(system, new WorkerPoolOptions { Workers = 1, ShutdownTimeout = TimeSpan.FromSeconds(30) }, "cut");
        pool.Start();
        var started = TestSignals.NewGate();
        var running = pool.RunAsync(async ct =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        });
        await started.WaitAsync();
        var queued = Enumerable.Range(0, 5).Select(_ => pool.RunAsync(_ => Task.FromResult(1))).ToArray();

        await system.Terminate().WaitAsync(TestSignals.Patience);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running).WaitAsync(TestSignals.Patience);
        foreach (var task in queued)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task).WaitAsync(TestSignals.Patience);
        }

        await pool.StopAsync().WaitAsync(TestSignals.Patience);
        await Assert.ThrowsAsync<SubmitRejectedException>(() => pool.SubmitAsync(_ => Task.CompletedTask));
        var stats = pool.GetStats();
        Assert.Equal(6, stats.Cancelled);
        Assert.Equal(stats.Submitted, stats.Succeeded + stats.Failed + stats.Cancelled + stats.TimedOut + stats.Dropped + stats.Rejected);
    }

    [Fact]
    public async Task StopAsync_must_wait_for_running_tasks_and_still_run_queued_ones()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2 });
        pool.Start();
        var release = TestSignals.NewGate();
        var started = 0;
        var bothRunning = TestSignals.NewGate();

        for (var i = 0; i < 10; i++)
        {
            await pool.SubmitAsync(async _ =>
            {
                if (Interlocked.Increment(ref started) == 2)
                {
                    bothRunning.TrySetResult();
                }

                await release.Task;
            });
        }

        await bothRunning.WaitAsync();
        var stop = pool.StopAsync();
        Assert.False(stop.IsCompleted, "stop returned while tasks were still running");
        release.TrySetResult();
        await stop.WaitAsync(TestSignals.Patience);

        Assert.Equal(10, started);
        var results = pool.GetResults();
        Assert.Equal(10, results.Count);
        Assert.All(results.Values, r => Assert.Equal(TaskOutcome.Succeeded, r.Outcome));
    }

    [Fact]
    public async Task A_task_ignoring_cancellation_must_not_hold_stop_past_the_shutdown_timeout()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, ShutdownTimeout = TimeSpan.FromMilliseconds(300) });
        pool.Start();
        var never = new TaskCompletionSource();
        var started = TestSignals.NewGate();
        var stuckId = await pool.SubmitAsync(_ =>
        {
            started.TrySetResult();
            return never.Task;
        });
        var queuedId = await pool.SubmitAsync(_ => Task.CompletedTask);
        await started.WaitAsync();

        await pool.StopAsync().WaitAsync(TestSignals.Patience);

        var results = pool.GetResults();
        Assert.Equal(TaskOutcome.TimedOut, results[stuckId].Outcome);
        Assert.IsType<TimeoutException>(results[stuckId].Error);
        Assert.Equal(TaskOutcome.Cancelled, results[queuedId].Outcome);
        Assert.Equal(0, results[queuedId].Attempts);
    }

    [Fact]
    public async Task Cancelling_the_start_token_must_cancel_running_and_queued_tasks_and_let_stop_finish_within_250ms()
    {
        // The seed's test: a 150 ms context timeout with 100 pending tasks.
        var pool = new WorkerPool(4);
        using var lifetime = new CancellationTokenSource();
        var cancelledAt = 0L;
        lifetime.Token.Register(() => Volatile.Write(ref cancelledAt, Stopwatch.GetTimestamp()));
        pool.Start(lifetime.Token);
        var started = 0;
        var allBusy = TestSignals.NewGate();
        var ids = new List<long>();
        for (var i = 0; i < 100; i++)
        {
            ids.Add(await pool.SubmitAsync(async ct =>
            {
                if (Interlocked.Increment(ref started) == 4)
                {
                    allBusy.TrySetResult();
                }

                await Task.Delay(TimeSpan.FromSeconds(30), ct);
            }));
        }

        // Submits return before the workers pick tasks up; on a loaded machine that can take longer than 150 ms.
        await allBusy.WaitAsync();
        lifetime.CancelAfter(TimeSpan.FromMilliseconds(150));
        await pool.StopAsync();
        var stopLatency = Stopwatch.GetElapsedTime(Volatile.Read(ref cancelledAt));

        Assert.InRange(stopLatency, TimeSpan.Zero, TimeSpan.FromMilliseconds(250));
        Assert.Equal(4, started);
        var results = pool.GetResults();
        Assert.Equal(100, results.Count);
        Assert.All(ids, id => Assert.Equal(TaskOutcome.Cancelled, results[id].Outcome));
        Assert.Equal(96, results.Values.Count(r => r.Attempts == 0));
        var error = await Assert.ThrowsAsync<SubmitRejectedException>(() => pool.SubmitAsync(_ => Task.CompletedTask));
        Assert.Equal(RejectionReason.Stopped, error.Reason);
    }

    [Fact]
    public async Task A_cancelled_stop_token_must_end_a_graceful_stop_at_once()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, ShutdownTimeout = TimeSpan.FromMinutes(5) });
        pool.Start();
        var started = TestSignals.NewGate();
        var stuckId = await pool.SubmitAsync(_ =>
        {
            started.TrySetResult();
            return new TaskCompletionSource().Task;
        });
        await started.WaitAsync();

        using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await pool.StopAsync(impatient.Token).WaitAsync(TestSignals.Patience);

        Assert.Equal(TaskOutcome.Cancelled, pool.GetResults()[stuckId].Outcome);
    }

    [Fact]
    public async Task Stopping_a_pool_that_never_started_must_record_its_queued_tasks_cancelled()
    {
        var pool = new WorkerPool(2);
        var ran = false;
        var id = await pool.SubmitAsync(_ =>
        {
            ran = true;
            return Task.CompletedTask;
        });

        await pool.StopAsync();

        Assert.False(ran);
        Assert.Equal(TaskOutcome.Cancelled, pool.GetResults()[id].Outcome);
    }

    [Fact]
    public async Task Submitters_waiting_for_room_must_be_rejected_when_the_pool_stops()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, QueueSize = 1, ShutdownTimeout = TimeSpan.FromMilliseconds(200) });
        pool.Start();
        var started = TestSignals.NewGate();
        await pool.SubmitAsync(_ =>
        {
            started.TrySetResult();
            return new TaskCompletionSource().Task;
        });
        await started.WaitAsync();
        await pool.SubmitAsync(_ => Task.CompletedTask);

        var waiting = pool.SubmitAsync(_ => Task.CompletedTask);
        Assert.False(waiting.IsCompleted, "a submit to a full queue returned before there was room");
        var stop = pool.StopAsync();

        var error = await Assert.ThrowsAsync<SubmitRejectedException>(() => waiting.WaitAsync(TestSignals.Patience));
        Assert.Equal(RejectionReason.Stopped, error.Reason);
        await stop;
        Assert.Equal(2, pool.GetResults().Count);
    }
}
