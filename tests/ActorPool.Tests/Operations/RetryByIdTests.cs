namespace ActorPool.Tests.Operations;

/// <summary><see cref="IWorkerPool.RetryAsync"/>: a finished named task that did not succeed runs again under a new id.</summary>
public sealed class RetryByIdTests
{
    [Fact]
    public async Task A_failed_named_task_retried_must_run_again_with_its_payload_under_a_new_id_that_names_the_first()
    {
        var failing = 1;
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var options = new WorkerPoolOptions { Workers = 1 };
        options.Handlers.Add<Order>("charge", (order, _) =>
        {
            seen.Enqueue(order.Number);
            return Interlocked.Exchange(ref failing, 0) == 1 ? Task.FromException(new InvalidOperationException("card declined")) : Task.CompletedTask;
        });
        await using var pool = new WorkerPool(options);
        pool.Start();
        var first = await pool.SubmitAsync("charge", new Order("A-17"), new TaskOptions { Priority = 3 });
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        var failed = pool.GetResults()[first];

        var second = await pool.RetryAsync(first);
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal(TaskOutcome.Failed, failed.Outcome);
        Assert.Equal("charge", failed.Handler);
        Assert.Equal("""{"number":"A-17"}""", failed.Payload, ignoreCase: true);
        Assert.NotEqual(first, second);
        var retried = pool.GetResults()[second];
        Assert.Equal(TaskOutcome.Succeeded, retried.Outcome);
        Assert.Equal(first, retried.RetryOf);
        Assert.Null(failed.RetryOf);
        Assert.Equal(["A-17", "A-17"], seen);
    }

    [Fact]
    public async Task Retrying_a_closure_a_success_or_an_unknown_id_must_say_why_not()
    {
        var options = new WorkerPoolOptions { Workers = 1 };
        options.Handlers.Add<Order>("charge", (_, _) => Task.CompletedTask);
        await using var pool = new WorkerPool(options);
        pool.Start();
        var closure = await pool.SubmitAsync(_ => throw new InvalidOperationException("boom"));
        var succeeded = await pool.SubmitAsync("charge", new Order("B-1"));
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        var notNamed = await Assert.ThrowsAsync<NotSupportedException>(() => pool.RetryAsync(closure));
        var notFailed = await Assert.ThrowsAsync<InvalidOperationException>(() => pool.RetryAsync(succeeded));
        var unknown = await Assert.ThrowsAsync<KeyNotFoundException>(() => pool.RetryAsync(999));

        Assert.Contains($"Task {closure}", notNamed.Message, StringComparison.Ordinal);
        Assert.Contains("closure", notNamed.Message, StringComparison.Ordinal);
        Assert.Contains($"Task {succeeded} succeeded", notFailed.Message, StringComparison.Ordinal);
        Assert.Contains("999", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(2, pool.GetStats().Submitted);
    }

    [Fact]
    public async Task A_result_must_record_how_long_its_task_waited_in_the_queue()
    {
        var gate = TestSignals.NewGate();
        var clock = new ManualClock();
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, TimeProvider = clock });
        pool.Start();
        var first = await pool.SubmitAsync(_ => gate.Task);
        var second = await pool.SubmitAsync(_ => Task.CompletedTask);
        await TestSignals.EventuallyAsync(() => pool.GetStats().ActiveWorkers == 1, () => "pool.GetStats().ActiveWorkers == 1");
        clock.Advance(TimeSpan.FromSeconds(3));
        gate.TrySetResult();
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.True(pool.GetResults()[first].QueueWait < TimeSpan.FromSeconds(1));
        Assert.InRange(pool.GetResults()[second].QueueWait, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(3.1));
    }

    public sealed record Order(string Number);
}
