using System.Collections.Concurrent;

namespace ActorPool.Tests.Cluster;

/// <summary>How a clustered task's run ends on its node: the same run rules as a local worker's, decided once.</summary>
[Collection(nameof(ClusterTests))]
public sealed class ClusterRunTests
{
    [Fact]
    public async Task A_run_past_its_timeout_must_end_TimedOut_at_its_deadline_while_its_worker_stays_busy_until_the_delegate_returns()
    {
        var node = TestCluster.Node();
        try
        {
            var release = TestSignals.NewGate();
            var started = new ConcurrentQueue<string>();
            var options = new WorkerPoolOptions { Workers = 1, ShutdownTimeout = TimeSpan.FromSeconds(5) };
            options.Cluster.Enabled = true;
            options.Handlers.Add<TestCluster.Work, string>(TestCluster.Handler, async (work, _) =>
            {
                started.Enqueue(work.Tag);
                await release.Task; // deaf to its token
                return work.Tag;
            });
            var pool = WorkerPool.Create(node, options, "jobs");
            await TestCluster.JoinAsync(node);

            var stuck = pool.RunAsync<string>(TestCluster.Handler, new TestCluster.Work(0, "stuck"), new TaskOptions { Timeout = TimeSpan.FromMilliseconds(300) });
            var timedOut = await Assert.ThrowsAsync<TimeoutException>(() => stuck).WaitAsync(TestSignals.Patience);

            // Still running: the one worker takes nothing more until its delegate returns.
            var next = pool.RunAsync<string>(TestCluster.Handler, new TestCluster.Work(0, "next"));
            await TestSignals.EventuallyAsync(() => pool.GetStats() is { Queued: 1, ActiveWorkers: 1 }, () => $"{pool.GetStats()}");
            Assert.Equal(["stuck"], started);
            release.SetResult();

            Assert.Equal("next", await next.WaitAsync(TestSignals.Patience));
            Assert.Contains("timeout", timedOut.Message, StringComparison.Ordinal);
            await TestSignals.EventuallyAsync(() => pool.GetStats() is { Submitted: 2, Succeeded: 1, TimedOut: 1 }, () => $"{pool.GetStats()}");
            var result = Assert.Single(pool.GetResults().Values, r => r.Outcome == TaskOutcome.TimedOut);
            Assert.Equal(1, result.Attempts);
        }
        finally
        {
            await TestCluster.StopAllAsync(node);
        }
    }

    [Fact]
    public async Task A_failing_named_task_must_try_again_by_the_pool_rule_and_a_refused_error_must_fail_at_once()
    {
        var node = TestCluster.Node();
        try
        {
            var tries = new ConcurrentDictionary<string, int>();
            var options = new WorkerPoolOptions
            {
                Workers = 2,
                MaxAttempts = 3,
                RetryBackoff = TimeSpan.FromMilliseconds(10),
                ShouldRetry = ex => ex is TimeoutException,
                ShutdownTimeout = TimeSpan.FromSeconds(5),
            };
            options.Cluster.Enabled = true;
            options.Handlers.Add<TestCluster.Work, string>(TestCluster.Handler, (work, _) =>
            {
                var attempt = tries.AddOrUpdate(work.Tag, 1, (_, n) => n + 1);
                return work.Tag switch
                {
                    "flaky" when attempt < 3 => throw new TimeoutException($"try {attempt}"),
                    "broken" => throw new FormatException("never retried"),
                    _ => Task.FromResult(work.Tag),
                };
            });
            var pool = WorkerPool.Create(node, options, "jobs");
            await TestCluster.JoinAsync(node);

            Assert.Equal("flaky", await pool.RunAsync<string>(TestCluster.Handler, new TestCluster.Work(0, "flaky")).WaitAsync(TestSignals.Patience));
            var broken = await Assert.ThrowsAsync<RemoteTaskException>(() => pool.RunAsync<string>(TestCluster.Handler, new TestCluster.Work(0, "broken"))).WaitAsync(TestSignals.Patience);

            Assert.Equal(typeof(FormatException).FullName, broken.ExceptionType);
            Assert.Equal(3, tries["flaky"]);
            Assert.Equal(1, tries["broken"]);
            var results = pool.GetResults().Values;
            Assert.Equal(3, Assert.Single(results, r => r.Outcome == TaskOutcome.Succeeded).Attempts);
            Assert.Equal(1, Assert.Single(results, r => r.Outcome == TaskOutcome.Failed).Attempts);
            await TestSignals.EventuallyAsync(() => pool.GetStats() is { Submitted: 2, Succeeded: 1, Failed: 1, Retried: 2 }, () => $"{pool.GetStats()}");
        }
        finally
        {
            await TestCluster.StopAllAsync(node);
        }
    }

    [Theory]
    [InlineData(false, new[] { "first", "low", "high" })]
    [InlineData(true, new[] { "first", "high", "low" })]
    public async Task Priority_must_order_starts_only_when_EnablePriority_is_on_as_on_a_local_pool(bool enabled, string[] expected)
    {
        var node = TestCluster.Node();
        try
        {
            var release = TestSignals.NewGate();
            var started = new ConcurrentQueue<string>();
            var options = new WorkerPoolOptions { Workers = 1, EnablePriority = enabled, ShutdownTimeout = TimeSpan.FromSeconds(5) };
            options.Cluster.Enabled = true;
            options.Handlers.Add<TestCluster.Work, string>(TestCluster.Handler, async (work, ct) =>
            {
                started.Enqueue(work.Tag);
                await release.Task.WaitAsync(ct);
                return work.Tag;
            });
            var pool = WorkerPool.Create(node, options, "jobs");
            await TestCluster.JoinAsync(node);

            var first = pool.RunAsync<string>(TestCluster.Handler, new TestCluster.Work(0, "first"));
            await TestSignals.EventuallyAsync(() => started.Count == 1, () => $"{started.Count} started");
            await pool.SubmitAsync(TestCluster.Handler, new TestCluster.Work(0, "low"), new TaskOptions { Priority = 0 }).WaitAsync(TestSignals.Patience);
            await pool.SubmitAsync(TestCluster.Handler, new TestCluster.Work(0, "high"), new TaskOptions { Priority = 9 }).WaitAsync(TestSignals.Patience);
            await TestSignals.EventuallyAsync(() => pool.GetStats().Queued == 2, () => $"{pool.GetStats()}");
            release.SetResult();
            await first.WaitAsync(TestSignals.Patience);
            await pool.WaitAsync().WaitAsync(TestSignals.Patience);

            Assert.Equal(expected, started);
        }
        finally
        {
            await TestCluster.StopAllAsync(node);
        }
    }

    [Fact]
    public async Task A_run_must_see_its_token_cancelled_when_its_node_s_actor_system_terminates()
    {
        var node = TestCluster.Node();
        try
        {
            var running = TestSignals.NewGate();
            var cancelled = TestSignals.NewGate();
            var options = new WorkerPoolOptions { Workers = 1, ShutdownTimeout = TimeSpan.FromSeconds(5) };
            options.Cluster.Enabled = true;
            options.Handlers.Add<TestCluster.Work, string>(TestCluster.Handler, async (work, ct) =>
            {
                using var seen = ct.Register(() => cancelled.TrySetResult());
                running.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
                return work.Tag;
            });
            var pool = WorkerPool.Create(node, options, "jobs");
            await TestCluster.JoinAsync(node);
            await pool.SubmitAsync(TestCluster.Handler, new TestCluster.Work(0, "forever")).WaitAsync(TestSignals.Patience);
            await running.Task.WaitAsync(TestSignals.Patience);

            // The cluster runs the node's CoordinatedShutdown as it goes: the leave gives the run its
            // time, then cancels it, rather than leave it running unseen in the process.
            await node.Terminate().WaitAsync(TestSignals.Patience);

            await cancelled.Task.WaitAsync(TestSignals.Patience);
        }
        finally
        {
            await TestCluster.StopAllAsync(node);
        }
    }
}
