namespace ActorPool.Tests.Cluster;

/// <summary>Cancel and retry by id on a clustered pool: asked from any node, carried out by the supervisor singleton and the worker that runs the task.</summary>
[Collection(nameof(ClusterTests))]
public sealed class ClusterOperationTests
{
    [Fact]
    public async Task Tasks_cancelled_by_id_from_another_node_must_end_cancelled_whether_they_ran_or_waited()
    {
        var submitter = TestCluster.Node();
        var other = TestCluster.Node();
        try
        {
            var starts = 0;
            var pools = new[] { submitter, other }.Select(node => TestCluster.Pool(node, workers: 1, ran: null, configure: o => o.Handlers.Add<TestCluster.Work>("hang", async (_, ct) =>
            {
                Interlocked.Increment(ref starts);
                await Task.Delay(Timeout.Infinite, ct);
            }))).ToArray();
            await TestCluster.JoinAsync(submitter, other);
            await TestSignals.EventuallyAsync(() => pools[0].GetStats().Workers == 2, () => $"{pools[0].GetStats()}");

            var running = new[] { await pools[0].SubmitAsync("hang", new TestCluster.Work(0)), await pools[0].SubmitAsync("hang", new TestCluster.Work(0)) };
            var queued = await pools[0].SubmitAsync("hang", new TestCluster.Work(0));
            await TestSignals.EventuallyAsync(() => Volatile.Read(ref starts) == 2, () => $"{starts} started");
            var pending = await ((ActorPool.Diagnostics.IPoolInspection)pools[1]).GetPendingAsync(10);

            Assert.True(await pools[1].CancelAsync(queued));
            foreach (var id in running)
            {
                Assert.True(await pools[1].CancelAsync(id));
            }

            await pools[0].WaitAsync().WaitAsync(TestSignals.Patience);
            var results = pools[0].GetResults();
            Assert.All(running, id => Assert.Equal((TaskOutcome.Cancelled, 1), (results[id].Outcome, results[id].Attempts)));
            Assert.Equal((TaskOutcome.Cancelled, 0), (results[queued].Outcome, results[queued].Attempts));
            Assert.Equal(2, Volatile.Read(ref starts)); // neither run again elsewhere
            Assert.Equal([true, true, false], pending.OrderBy(p => p.Id).Select(p => p.Running));
            Assert.False(await pools[1].CancelAsync(queued));

            // The cluster's figures reach the nodes every so often: the books balance once they arrive.
            await TestSignals.EventuallyAsync(
                () => pools[0].GetStats() is { Cancelled: 3 } stats && stats.Submitted == stats.Succeeded + stats.Failed + stats.Cancelled + stats.TimedOut + stats.Dropped + stats.Rejected,
                () => $"{pools[0].GetStats()}");
        }
        finally
        {
            await TestCluster.StopAllAsync(submitter, other);
        }
    }

    [Fact]
    public async Task A_failed_named_task_retried_on_a_cluster_must_run_again_under_a_new_id()
    {
        var node = TestCluster.Node();
        try
        {
            var failing = 1;
            var pool = TestCluster.Pool(node, workers: 1, configure: o => o.Handlers.Add<TestCluster.Work>("flaky", (_, _) =>
                Interlocked.Exchange(ref failing, 0) == 1 ? Task.FromException(new InvalidOperationException("first try fails")) : Task.CompletedTask));
            await TestCluster.JoinAsync(node);
            var first = await pool.SubmitAsync("flaky", new TestCluster.Work(0, "x"));
            await pool.WaitAsync().WaitAsync(TestSignals.Patience);

            var second = await pool.RetryAsync(first);
            await pool.WaitAsync().WaitAsync(TestSignals.Patience);

            var results = pool.GetResults();
            Assert.Equal(TaskOutcome.Failed, results[first].Outcome);
            Assert.Equal((TaskOutcome.Succeeded, (long?)first, "flaky"), (results[second].Outcome, results[second].RetryOf, results[second].Handler));
        }
        finally
        {
            await TestCluster.StopAllAsync(node);
        }
    }
}
