namespace ActorPool.Tests.Reliability;

/// <summary>
/// Issue 11, item 10: only a cancellation caused by the pool or the caller is the pool's
/// Cancelled; an OperationCanceledException the task throws on its own is its failure, rethrown unchanged.
/// </summary>
public sealed class RunAsyncErrorTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_task_throwing_its_own_TaskCanceledException_must_fail_with_that_very_exception(bool throwsAfterAwaiting)
    {
        var pool = new WorkerPool(1);
        pool.Start();
        try
        {
            // What HttpClient throws when its own timeout passes: neither the pool nor the caller cancelled.
            var thrown = new TaskCanceledException("http timeout", new TimeoutException());
            Func<CancellationToken, Task<int>> task = throwsAfterAwaiting
                ? async _ =>
                {
                    await Task.Yield();
                    throw thrown;
                }
            : _ => throw thrown;

            var error = await Assert.ThrowsAsync<TaskCanceledException>(() => pool.RunAsync(task).WaitAsync(TestSignals.Patience));

            Assert.Same(thrown, error);
            await TestSignals.EventuallyAsync(() => pool.GetResults().Count == 1, () => $"{pool.GetStats()}");
            var result = Assert.Single(pool.GetResults().Values);
            Assert.Equal(TaskOutcome.Failed, result.Outcome);
            Assert.Same(thrown, result.Error);
        }
        finally
        {
            await pool.StopQuietlyAsync();
        }
    }

    [Fact]
    public async Task A_task_cancelled_by_the_callers_token_must_be_recorded_Cancelled()
    {
        var pool = new WorkerPool(1);
        pool.Start();
        try
        {
            using var caller = new CancellationTokenSource();
            var started = TestSignals.NewGate();
            var run = pool.RunAsync(
                async ct =>
                {
                    started.TrySetResult();
                    await Task.Delay(Timeout.Infinite, ct);
                    return 0;
                },
                cancellationToken: caller.Token);
            await started.WaitAsync();

            await caller.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TestSignals.Patience));
            await TestSignals.EventuallyAsync(() => pool.GetResults().Count == 1, () => $"{pool.GetStats()}");
            Assert.Equal(TaskOutcome.Cancelled, Assert.Single(pool.GetResults().Values).Outcome);
        }
        finally
        {
            await pool.StopQuietlyAsync();
        }
    }

    [Fact]
    public async Task A_task_cancelled_by_the_pools_start_token_must_be_recorded_Cancelled()
    {
        var pool = new WorkerPool(1);
        using var lifetime = new CancellationTokenSource();
        pool.Start(lifetime.Token);
        try
        {
            var started = TestSignals.NewGate();
            var run = pool.RunAsync(
                async ct =>
                {
                    started.TrySetResult();
                    await Task.Delay(Timeout.Infinite, ct);
                    return 0;
                });
            await started.WaitAsync();

            await lifetime.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TestSignals.Patience));
            await pool.StopAsync().WaitAsync(TestSignals.Patience);
            Assert.Equal(TaskOutcome.Cancelled, Assert.Single(pool.GetResults().Values).Outcome);
        }
        finally
        {
            await pool.StopQuietlyAsync();
        }
    }
}
