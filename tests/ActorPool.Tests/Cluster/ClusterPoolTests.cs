namespace ActorPool.Tests.Cluster;

[Collection(nameof(ClusterTests))]
public sealed class ClusterPoolTests
{
    private const string SerializeEverything = "akka.actor.serialize-messages = on";

    [Fact]
    public async Task Tasks_must_spread_over_every_node_and_survive_a_node_that_crashes_mid_run()
    {
        var (a, b, c) = (TestCluster.Node(), TestCluster.Node(), TestCluster.Node());
        try
        {
            var front = TestCluster.Pool(a);
            TestCluster.Pool(b);
            TestCluster.Pool(c);
            await TestCluster.JoinAsync(a, b, c);
            await TestSignals.EventuallyAsync(() => front.GetStats().WorkersByNode.Count == 3, () => $"{front.GetStats()}");

            var ids = await front.SubmitManyAsync(TestCluster.Handler, Enumerable.Range(0, 2000).Select(i => (object?)new TestCluster.Work(5, $"t{i}"))).WaitAsync(TestSignals.Patience);
            await TestSignals.EventuallyAsync(() => front.GetResults().Count >= 400, () => $"{front.GetResults().Count} done");
            var crashed = Akka.Cluster.Cluster.Get(c).SelfAddress.ToString();
            await c.Terminate(); // without leaving: the others find it unreachable and down it

            await front.WaitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var results = front.GetResults();

            Assert.Equal(2000, ids.Distinct().Count());
            Assert.Equal(ids.Order(), results.Keys.Order());
            Assert.All(results.Values, r => Assert.Equal(TaskOutcome.Succeeded, r.Outcome));
            Assert.Equal(3, results.Values.Select(r => r.Node).Distinct().Count());
            Assert.Contains(results.Values, r => r.Node == crashed); // it took part before it crashed
            Assert.Contains(results.Values, r => r.Attempts > 1);   // what it held ran again elsewhere
            var stats = front.GetStats();
            await TestSignals.EventuallyAsync(() => front.GetStats().Succeeded >= 2000, () => $"{front.GetStats()}");
            Assert.Equal(0, stats.Failed + stats.Cancelled + stats.TimedOut + stats.Dropped);
        }
        finally
        {
            await TestCluster.StopAllAsync(a, b, c);
        }
    }

    [Fact]
    public async Task When_the_oldest_node_leaves_the_supervisor_must_move_and_no_task_of_a_front_must_be_lost()
    {
        var (a, b, c) = (TestCluster.Node(), TestCluster.Node(), TestCluster.Node());
        try
        {
            TestCluster.Pool(a);
            var front = TestCluster.Pool(b);
            TestCluster.Pool(c);
            await TestCluster.JoinAsync(a, b, c);
            await TestSignals.EventuallyAsync(() => front.GetStats().WorkersByNode.Count == 3, () => $"{front.GetStats()}");

            var ids = await front.SubmitManyAsync(TestCluster.Handler, Enumerable.Range(0, 600).Select(i => (object?)new TestCluster.Work(10, $"t{i}"))).WaitAsync(TestSignals.Patience);
            await TestSignals.EventuallyAsync(() => front.GetResults().Count >= 100, () => $"{front.GetResults().Count} done");

            // The oldest node (the supervisor's) leaves gracefully with tasks still queued there.
            await Akka.Actor.CoordinatedShutdown.Get(a).Run(Akka.Actor.CoordinatedShutdown.ClusterLeavingReason.Instance).WaitAsync(TimeSpan.FromSeconds(30));
            var more = await front.SubmitManyAsync(TestCluster.Handler, Enumerable.Range(0, 100).Select(i => (object?)new TestCluster.Work(1, $"late{i}"))).WaitAsync(TimeSpan.FromSeconds(30));

            await front.WaitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var results = front.GetResults();
            Assert.Equal(ids.Concat(more).Order(), results.Keys.Order());
            Assert.All(results.Values, r => Assert.Equal(TaskOutcome.Succeeded, r.Outcome));
        }
        finally
        {
            await TestCluster.StopAllAsync(a, b, c);
        }
    }

    [Fact]
    public async Task Big_batches_must_be_cut_to_fit_akkas_frame_size_so_no_submit_or_outcome_is_dropped()
    {
        // Default frame size (128,000 bytes): a batch of thousands of submits or outcomes would
        // exceed it, and the transport drops such a message without a word.
        var (a, b) = (TestCluster.Node(), TestCluster.Node());
        try
        {
            TestCluster.Pool(a);
            var front = TestCluster.Pool(b); // the supervisor is on a: everything crosses the wire
            await TestCluster.JoinAsync(a, b);
            await TestSignals.EventuallyAsync(() => front.GetStats().WorkersByNode.Count == 2, () => $"{front.GetStats()}");

            var padding = new string('x', 200);
            var ids = await front.SubmitManyAsync(TestCluster.Handler, Enumerable.Range(0, 20_000).Select(i => (object?)new TestCluster.Work(0, $"{i}{padding}"))).WaitAsync(TimeSpan.FromSeconds(30));
            await front.WaitAsync().WaitAsync(TimeSpan.FromSeconds(60));

            await TestSignals.EventuallyAsync(() => front.GetStats().Succeeded == 20_000, () => $"{front.GetStats()}");

            Assert.Equal(20_000, ids.Distinct().Count());
            Assert.Equal(0, front.GetStats().Failed + front.GetStats().TimedOut);
            Assert.All(front.GetResults().Values, r => Assert.Equal(TaskOutcome.Succeeded, r.Outcome));
        }
        finally
        {
            await TestCluster.StopAllAsync(a, b);
        }
    }

    [Fact]
    public async Task A_payload_or_result_too_large_for_one_message_must_be_refused_naming_its_size_and_the_frame_key()
    {
        var node = TestCluster.Node();
        try
        {
            var pool = TestCluster.Pool(node, configure: o => o.Handlers.Add<int, string>("grow", (size, _) => Task.FromResult(new string('y', size))));
            await TestCluster.JoinAsync(node);

            var tooLarge = await Assert.ThrowsAsync<ArgumentException>(() => pool.SubmitAsync(TestCluster.Handler, new TestCluster.Work(0, new string('x', 100_000))));
            var failed = await Assert.ThrowsAsync<RemoteTaskException>(() => pool.RunAsync<string>("grow", 100_000)).WaitAsync(TestSignals.Patience);
            var fits = await pool.RunAsync<string>("grow", 1_000).WaitAsync(TestSignals.Patience);

            Assert.Equal("payload", tooLarge.ParamName);
            Assert.Contains("akka.remote.dot-netty.tcp.maximum-frame-size", tooLarge.Message);
            Assert.Contains("100,0", tooLarge.Message); // its size
            Assert.Contains("result of handler 'grow'", failed.Message);
            Assert.Contains("maximum-frame-size", failed.Message);
            Assert.Equal(1_000, fits.Length);
        }
        finally
        {
            await TestCluster.StopAllAsync(node);
        }
    }

    [Fact]
    public async Task Every_message_that_crosses_must_pass_akkas_serialization_check()
    {
        // One node: with serialize-messages on, every message between the pool's actors goes
        // through its serializer even locally. (Several nodes would also serialize Akka's own
        // cluster events, whose age ordering does not survive that in Akka.NET 1.5.)
        var node = TestCluster.Node(extra: SerializeEverything);
        try
        {
            var front = TestCluster.Pool(node);
            await TestCluster.JoinAsync(node);

            var values = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => front.RunAsync<string>(TestCluster.Handler, new TestCluster.Work(1, $"v{i}")))).WaitAsync(TimeSpan.FromSeconds(30));
            var failed = await Assert.ThrowsAsync<RemoteTaskException>(() => front.RunAsync<string>(TestCluster.Handler, new TestCluster.Work(-5, "bad"))).WaitAsync(TestSignals.Patience);
            await TestSignals.EventuallyAsync(() => front.GetStats().Succeeded == 50, () => $"{front.GetStats()}");

            Assert.Equal(Enumerable.Range(0, 50).Select(i => $"v{i}"), values);
            Assert.Equal(typeof(ArgumentOutOfRangeException).FullName, failed.ExceptionType);
            Assert.Equal(4, front.GetStats().Workers);
        }
        finally
        {
            await TestCluster.StopAllAsync(node);
        }
    }

    [Fact]
    public async Task A_closure_must_be_refused_clearly_and_a_named_task_must_return_its_value()
    {
        var node = TestCluster.Node();
        try
        {
            var pool = TestCluster.Pool(node);
            await TestCluster.JoinAsync(node);

            var refused = await Assert.ThrowsAsync<SubmitRejectedException>(() => pool.SubmitAsync(_ => Task.CompletedTask));
            var value = await pool.RunAsync<string>(TestCluster.Handler, new TestCluster.Work(1, "hello")).WaitAsync(TestSignals.Patience);

            Assert.Equal(RejectionReason.NamedTasksOnly, refused.Reason);
            Assert.Equal("hello", value);
        }
        finally
        {
            await TestCluster.StopAllAsync(node);
        }
    }
}

/// <summary>Cluster tests start several actor systems with real sockets: one at a time.</summary>
[CollectionDefinition(nameof(ClusterTests), DisableParallelization = true)]
public sealed class ClusterTests;
