namespace ActorPool.Tests.Reliability;

/// <summary>
/// Issue 11, item 8: a task handed to a worker in a batch is still waiting, not running. It must
/// not wait behind a long task while another worker could run it, and its queue timeout still applies.
/// </summary>
public sealed class BatchingTests
{
    private const int NoOps = 63;

    /// <summary>How long a long task holds its worker at most if the test never releases it.</summary>
    private static readonly TimeSpan LongTaskCap = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Tiny_tasks_must_not_wait_behind_a_long_task_while_another_worker_is_free()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2, QueueSize = 0 });
        pool.Start();
        var release = TestSignals.NewGate();
        try
        {
            await WarmUpTinyTaskBatchingAsync(pool);
            var longEnded = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var ran = 0;
            Func<CancellationToken, Task> noOp = _ =>
            {
                Interlocked.Increment(ref ran);
                return Task.CompletedTask;
            };

            // One hand-over, long task first: the way a batch can put no-ops behind it.
            var ids = await pool.SubmitManyAsync([LongTask(release, longEnded, () => Volatile.Read(ref ran)), .. Enumerable.Repeat(noOp, NoOps)]).WaitAsync(TestSignals.Patience);
            var noOpIds = ids.Skip(1).ToArray();

            await TestSignals.EventuallyAsync(
                () => noOpIds.All(pool.GetResults().ContainsKey) || longEnded.Task.IsCompleted,
                () => $"{ran} of {NoOps} no-ops ran: {pool.GetStats()}");
            if (longEnded.Task.IsCompleted)
            {
                Assert.Fail($"only {await longEnded.Task} of {NoOps} no-ops ran while the long task held one worker for {LongTaskCap.TotalSeconds} s and the other was free");
            }

            var results = pool.GetResults();
            Assert.All(noOpIds, id => Assert.Equal(TaskOutcome.Succeeded, results[id].Outcome));
        }
        finally
        {
            release.TrySetResult();
            await pool.StopQuietlyAsync();
        }
    }

    [Fact]
    public async Task A_batched_task_must_keep_its_queue_timeout_while_both_workers_are_busy()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2, QueueSize = 0 });
        pool.Start();
        var release = TestSignals.NewGate();
        try
        {
            await WarmUpTinyTaskBatchingAsync(pool);
            var queueTimeout = TimeSpan.FromMilliseconds(300);
            var firstEnded = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var secondEnded = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var firstStarted = TestSignals.NewGate();
            var ran = 0;
            Func<CancellationToken, Task> noOp = _ =>
            {
                Interlocked.Increment(ref ran);
                return Task.CompletedTask;
            };
            await pool.SubmitAsync(async ct =>
            {
                firstStarted.TrySetResult();
                await LongTask(release, firstEnded, () => Volatile.Read(ref ran))(ct);
            });
            await firstStarted.WaitAsync();

            // The second long task and the no-ops in one hand-over to the one free worker.
            var submittedAt = DateTimeOffset.UtcNow;
            var ids = await pool.SubmitManyAsync(
                [LongTask(release, secondEnded, () => Volatile.Read(ref ran)), .. Enumerable.Repeat(noOp, NoOps)],
                new TaskOptions { QueueTimeout = queueTimeout }).WaitAsync(TestSignals.Patience);
            var noOpIds = ids.Skip(1).ToArray();

            await TestSignals.EventuallyAsync(() => noOpIds.All(pool.GetResults().ContainsKey), () => $"{ran} of {NoOps} no-ops ran: {pool.GetStats()}");
            var results = pool.GetResults();
            // It started at once (and still runs), so both workers were busy.
            Assert.False(results.TryGetValue(ids[0], out var second) && second.Outcome == TaskOutcome.TimedOut, "the second long task timed out in the queue");
            var lateStarts = noOpIds
                .Select(id => results[id])
                .Where(r => r.Outcome == TaskOutcome.Succeeded && r.StartedAt - submittedAt > queueTimeout + TimeSpan.FromMilliseconds(300))
                .ToArray();
            Assert.True(lateStarts.Length == 0, $"{lateStarts.Length} no-ops started after waiting past their queue timeout of {queueTimeout} (the latest {lateStarts.Select(r => r.StartedAt - submittedAt).DefaultIfEmpty().Max().TotalMilliseconds:F0} ms after submission) and were recorded Succeeded");
            Assert.False(firstEnded.Task.IsCompleted || secondEnded.Task.IsCompleted, "a long task ended before the no-ops had their outcomes");
            Assert.All(noOpIds, id => Assert.Equal((TaskOutcome.TimedOut, 0), (results[id].Outcome, results[id].Attempts)));
            Assert.Equal(0, ran);
        }
        finally
        {
            release.TrySetResult();
            await pool.StopQuietlyAsync();
        }
    }

    /// <summary>Runs 20,000 no-ops so the pool learns its tasks are tiny and starts handing them out in batches.</summary>
    private static async Task WarmUpTinyTaskBatchingAsync(WorkerPool pool)
    {
        await pool.SubmitManyAsync(Enumerable.Repeat<Func<CancellationToken, Task>>(_ => Task.CompletedTask, 20_000)).WaitAsync(TestSignals.Patience);
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        Assert.Equal(20_000, pool.GetStats().Succeeded);
    }

    /// <summary>A task that holds its worker until the test releases it, or <see cref="LongTaskCap"/> at most; when it ends, <paramref name="ended"/> gets how many no-ops had run by then.</summary>
    private static Func<CancellationToken, Task> LongTask(TaskCompletionSource release, TaskCompletionSource<int> ended, Func<int> noOpsRun) => async ct =>
    {
        await Task.WhenAny(release.Task, Task.Delay(LongTaskCap, ct));
        ended.TrySetResult(noOpsRun());
    };
}
