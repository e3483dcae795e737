using System.Diagnostics;

namespace ActorPool.Tests.Reliability;

/// <summary>Issue 11, items 2 and 9: a stop that a blocked thread cannot hold, and that closes admission the moment it is called.</summary>
public sealed class StopTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stop_must_return_within_the_shutdown_timeout_while_a_task_blocks_its_thread(bool ownSystem)
    {
        var system = ownSystem ? null : TestPools.NewSystem();
        var options = new WorkerPoolOptions { Workers = 1, ShutdownTimeout = TimeSpan.FromMilliseconds(300) };
        var pool = system is null ? new WorkerPool(options) : WorkerPool.Create(system, options, "blocked");
        pool.Start();

        // Like Thread.Sleep(5000) ignoring the token, but the test can end it so the thread does not outlive the test.
        using var unblock = new ManualResetEventSlim();
        try
        {
            var started = TestSignals.NewGate();
            var id = await pool.SubmitAsync(_ =>
            {
                started.TrySetResult();
                unblock.Wait(TimeSpan.FromSeconds(5), CancellationToken.None);
                return Task.CompletedTask;
            });
            await started.WaitAsync();
            var clock = Stopwatch.StartNew();

            await pool.StopAsync().WaitAsync(TestSignals.Patience);

            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2.5));
            var result = pool.GetResults()[id];
            Assert.Equal(TaskOutcome.TimedOut, result.Outcome);
            Assert.IsType<TimeoutException>(result.Error);
        }
        finally
        {
            unblock.Set();
            await pool.StopQuietlyAsync();
            if (system is not null)
            {
                await system.TerminateQuietlyAsync();
            }
        }
    }

    [Theory]
    [InlineData(SubmitPath.SubmitAsync)]
    [InlineData(SubmitPath.TrySubmitAsync)]
    [InlineData(SubmitPath.RunAsync)]
    [InlineData(SubmitPath.SubmitManyAsync)]
    public async Task Every_submit_after_an_unawaited_stop_must_be_rejected_as_Stopped(SubmitPath path)
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2 });
        pool.Start();
        var release = TestSignals.NewGate();
        try
        {
            // A running task keeps the stop in progress for as long as the test needs.
            var running = TestSignals.NewGate();
            await pool.SubmitAsync(async _ =>
            {
                running.TrySetResult();
                await release.Task;
            });
            await running.WaitAsync();
            var lateRuns = 0;
            Func<CancellationToken, Task> late = _ =>
            {
                Interlocked.Increment(ref lateRuns);
                return Task.CompletedTask;
            };

            var stop = pool.StopAsync(); // not awaited: admission must close now, not when a stop phase gets to it
            for (var i = 0; i < 20; i++)
            {
                await SubmitAndExpectStoppedAsync(pool, path, late, i);
            }

            release.TrySetResult();
            await stop.WaitAsync(TestSignals.Patience);

            Assert.Equal(0, lateRuns);
            var stats = pool.GetStats();
            stats.AssertBooksBalance();
            Assert.Equal(20, stats.Rejected);
            Assert.Equal(1, stats.Succeeded);
        }
        finally
        {
            release.TrySetResult();
            await pool.StopQuietlyAsync();
        }
    }

    private static async Task SubmitAndExpectStoppedAsync(WorkerPool pool, SubmitPath path, Func<CancellationToken, Task> late, int attempt)
    {
        if (path == SubmitPath.TrySubmitAsync)
        {
            Assert.False(await pool.SubmitViaAsync(path, late).WaitAsync(TestSignals.Patience), $"TrySubmitAsync #{attempt} after StopAsync was accepted");
            return;
        }

        var error = await Assert.ThrowsAsync<SubmitRejectedException>(() => pool.SubmitViaAsync(path, late).WaitAsync(TestSignals.Patience));
        Assert.Equal(RejectionReason.Stopped, error.Reason);
    }
}
