using System.Collections.Concurrent;
using Akka.Actor;

namespace ActorPool.Tests.Cluster;

/// <summary>What a clustered pool promises as a local one does: issue 23, items 7 and 9, on the cluster.</summary>
[Collection(nameof(ClusterTests))]
public sealed class ClusterContractTests
{
    [Fact]
    public async Task QueueSize_must_count_waiting_tasks_only_so_four_workers_with_QueueSize_1_run_four_at_once()
    {
        var node = TestCluster.Node();
        try
        {
            var release = TestSignals.NewGate();
            var started = new ConcurrentQueue<string>();
            var pool = GatedPool(node, release, started, o =>
            {
                o.QueueSize = 1;
                o.Overflow = OverflowPolicy.Reject;
            });
            await TestCluster.JoinAsync(node);
            await TestSignals.EventuallyAsync(() => pool.GetStats().Workers == 4, () => $"{pool.GetStats()}");

            // Each submit finds the one slot free again once the task before it started. The front
            // hears of the start from the supervisor, before the figures that count its worker busy
            // (one sender, one receiver: in order), so those figures say the slot is free.
            for (var i = 1; i <= 4; i++)
            {
                await pool.SubmitAsync(TestCluster.Handler, new TestCluster.Work(0, $"t{i}")).WaitAsync(TestSignals.Patience);
                var expected = i;
                await TestSignals.EventuallyAsync(
                    () => started.Count == expected && pool.GetStats().ActiveWorkers == expected,
                    () => $"{started.Count} of {expected} started; {pool.GetStats()}");
            }

            // Every worker is busy: one more waits in the single slot, the next finds it taken.
            await pool.SubmitAsync(TestCluster.Handler, new TestCluster.Work(0, "waits")).WaitAsync(TestSignals.Patience);
            var full = await Assert.ThrowsAsync<SubmitRejectedException>(() => pool.SubmitAsync(TestCluster.Handler, new TestCluster.Work(0, "full")));
            release.SetResult();
            await pool.WaitAsync().WaitAsync(TestSignals.Patience);

            Assert.Equal(RejectionReason.QueueFull, full.Reason);
            Assert.Equal(5, pool.GetResults().Values.Count(r => r.Outcome == TaskOutcome.Succeeded));
            await TestSignals.EventuallyAsync(
                () => pool.GetStats() is { Submitted: 6, Succeeded: 5, Rejected: 1 },
                () => $"{pool.GetStats()}"); // the cluster's figures refresh every 250 ms
        }
        finally
        {
            await TestCluster.StopAllAsync(node);
        }
    }

    [Fact]
    public async Task Cancelling_a_RunAsync_token_while_its_task_waits_must_record_it_Cancelled_unrun_and_throw()
    {
        var node = TestCluster.Node();
        try
        {
            var release = TestSignals.NewGate();
            var started = new ConcurrentQueue<string>();
            var pool = GatedPool(node, release, started, o => o.Workers = 1);
            await TestCluster.JoinAsync(node);

            var busy = pool.RunAsync<string>(TestCluster.Handler, new TestCluster.Work(0, "busy"));
            await TestSignals.EventuallyAsync(() => started.Count == 1, () => $"{started.Count} started");
            using var queued = new CancellationTokenSource();
            var waiting = pool.RunAsync<string>(TestCluster.Handler, new TestCluster.Work(0, "waiting"), cancellationToken: queued.Token);
            await TestSignals.EventuallyAsync(() => pool.GetStats().Queued == 1, () => $"{pool.GetStats()}"); // the supervisor holds it
            using var early = new CancellationTokenSource();
            await early.CancelAsync();
            var unsent = pool.RunAsync<string>(TestCluster.Handler, new TestCluster.Work(0, "cancelled before it was sent"), cancellationToken: early.Token);

            await queued.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting).WaitAsync(TestSignals.Patience);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => unsent).WaitAsync(TestSignals.Patience);

            // The cancel travels to the supervisor: the worker comes free only once it was recorded there.
            await TestSignals.EventuallyAsync(() => pool.GetStats().Cancelled == 1, () => $"{pool.GetStats()}");
            release.SetResult();
            Assert.Equal("busy", await busy.WaitAsync(TestSignals.Patience));
            await pool.WaitAsync().WaitAsync(TestSignals.Patience);

            Assert.Equal(["busy"], started);
            await TestSignals.EventuallyAsync(
                () => pool.GetStats() is { Submitted: 3, Succeeded: 1, Cancelled: 1, Rejected: 1 }, // the token that had fired is refused at submit
                () => $"{pool.GetStats()}");
            Assert.All(pool.GetResults().Values.Where(r => r.Outcome == TaskOutcome.Cancelled), r => Assert.Equal(0, r.Attempts));
        }
        finally
        {
            await TestCluster.StopAllAsync(node);
        }
    }

    /// <summary>A clustered pool of 4 workers whose handler notes its start, then waits for <paramref name="release"/>.</summary>
    private static WorkerPool GatedPool(ActorSystem node, TaskCompletionSource release, ConcurrentQueue<string> started, Action<WorkerPoolOptions> configure)
    {
        var options = new WorkerPoolOptions { Workers = 4, ShutdownTimeout = TimeSpan.FromSeconds(5) };
        options.Cluster.Enabled = true;
        options.Handlers.Add<TestCluster.Work, string>(TestCluster.Handler, async (work, ct) =>
        {
            started.Enqueue(work.Tag);
            await release.Task.WaitAsync(ct);
            return work.Tag;
        });
        configure(options);
        return WorkerPool.Create(node, options, "jobs");
    }
}
