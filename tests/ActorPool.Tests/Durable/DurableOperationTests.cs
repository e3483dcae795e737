namespace ActorPool.Tests.Durable;

/// <summary>Cancel and retry by id on a durable pool: a cancel is journaled like any outcome, and a failed task can be retried after a restart.</summary>
public sealed class DurableOperationTests : DurableJournalTests
{
    [Fact]
    public async Task A_task_cancelled_by_id_must_stay_cancelled_after_a_crash_and_a_failed_one_stay_retryable()
    {
        var gate = TestSignals.NewGate();
        var runsOfQueued = 0;
        var crashing = Pool(o => o.Workers = 1, o => o.Handlers.Add<Echo>("wait", (_, _) => gate.Task), o => o.Handlers.Add<Echo>("count", (_, _) =>
        {
            Interlocked.Increment(ref runsOfQueued);
            return Task.CompletedTask;
        }), o => o.Handlers.Add<Echo>("fail", (_, _) => Task.FromException(new InvalidOperationException("declined"))));
        crashing.Start();
        var failed = await crashing.SubmitAsync("fail", new Echo("f"));
        await crashing.WaitAsync().WaitAsync(TestSignals.Patience);
        var blocker = await crashing.SubmitAsync("wait", new Echo("w"));
        var queued = await crashing.SubmitAsync("count", new Echo("q"));

        Assert.True(await crashing.CancelAsync(queued));
        await TestSignals.EventuallyAsync(() => crashing.GetResults().ContainsKey(queued), () => "the cancel is not recorded yet");
        await crashing.CrashAsync();

        var retried = 0;
        await using var next = Pool(o => o.Handlers.Add<Echo>("wait", (_, _) => Task.CompletedTask), o => o.Handlers.Add<Echo>("count", (_, _) =>
        {
            Interlocked.Increment(ref runsOfQueued);
            return Task.CompletedTask;
        }), o => o.Handlers.Add<Echo>("fail", (echo, _) =>
        {
            Interlocked.Increment(ref retried);
            return Task.CompletedTask;
        }));
        next.Start();
        await next.WaitAsync().WaitAsync(TestSignals.Patience);
        var again = await next.RetryAsync(failed);
        await next.WaitAsync().WaitAsync(TestSignals.Patience);

        var results = next.GetResults();
        Assert.Equal(TaskOutcome.Cancelled, results[queued].Outcome);
        Assert.Equal(0, runsOfQueued);
        Assert.Equal(TaskOutcome.Succeeded, results[blocker].Outcome); // read back unfinished, run after the restart
        Assert.Equal((TaskOutcome.Succeeded, (long?)failed), (results[again].Outcome, results[again].RetryOf));
        Assert.Equal(1, retried);
        Assert.Equal("fail", results[failed].Handler);
    }
}
