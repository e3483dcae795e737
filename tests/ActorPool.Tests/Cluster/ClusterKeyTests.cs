using System.Collections.Concurrent;
using Akka.Actor;

namespace ActorPool.Tests.Cluster;

/// <summary>
/// Keys on a clustered pool: the supervisor singleton owns them, so a key submitted from several
/// nodes makes one task, and a key's concurrency limit holds across every node's workers.
/// </summary>
[Collection(nameof(ClusterTests))]
public sealed class ClusterKeyTests
{
    [Fact]
    public async Task Keys_submitted_from_three_nodes_must_make_one_task_each_while_a_worker_node_crashes()
    {
        const int Keys = 1000;
        const int Repeats = 10;
        var submitters = new[] { TestCluster.Node(), TestCluster.Node(), TestCluster.Node() };
        var victim = TestCluster.Node();
        var all = submitters.Append(victim).ToArray();
        try
        {
            var runs = new ConcurrentDictionary<string, int>();
            void Configure(WorkerPoolOptions options) => options.DeduplicationWindow = TimeSpan.FromMinutes(10);
            var pools = all.Select(node => TestCluster.Pool(node, workers: 4, Configure, work => runs.AddOrUpdate(work.Tag, 1, (_, n) => n + 1))).ToArray();
            await TestCluster.JoinAsync(all);

            var ids = new ConcurrentDictionary<string, ConcurrentBag<long>>();
            var submitting = submitters.Select((_, s) => Task.Run(async () =>
            {
                var pool = pools[s];
                for (var n = s; n < Keys * Repeats; n += submitters.Length)
                {
                    var key = $"order-{n % Keys}";
                    var id = await pool.SubmitAsync(TestCluster.Handler, new TestCluster.Work(20, key), new TaskOptions { Key = key });
                    ids.GetOrAdd(key, _ => []).Add(id);
                }
            })).ToArray();

            // Midway: the node that only runs tasks dies without leaving.
            await TestSignals.EventuallyAsync(() => pools[0].GetStats().Succeeded >= Keys / 5, () => $"{pools[0].GetStats()}");
            await victim.Terminate();
            await Task.WhenAll(submitting).WaitAsync(TimeSpan.FromSeconds(60));
            await TestSignals.EventuallyAsync(
                () => pools[0].GetStats() is { Succeeded: Keys } stats && stats.Deduplicated == (Keys * Repeats) - Keys,
                () => $"{pools[0].GetStats()}",
                within: TimeSpan.FromSeconds(60));
            await Task.WhenAll(pools.Take(3).Select(p => p.WaitAsync())).WaitAsync(TimeSpan.FromSeconds(60));

            var stats = pools[0].GetStats();
            Assert.Equal(Keys, stats.Submitted);
            Assert.Equal(stats.Submitted, stats.Succeeded + stats.Failed + stats.Cancelled + stats.TimedOut + stats.Dropped + stats.Rejected);
            Assert.All(ids, key => Assert.Single(key.Value.Distinct()));
            Assert.Equal(Keys, runs.Count);

            // Only a run cut short by the crash runs again, elsewhere.
            var again = runs.Count(run => run.Value > 1);
            Assert.True(again <= 4, $"{again} keys ran more than once; the crashed node had 4 workers");
        }
        finally
        {
            await TestCluster.StopAllAsync(all);
        }
    }

    [Fact]
    public async Task A_key_must_stay_taken_when_the_supervisors_node_crashes()
    {
        var (a, b, c) = (TestCluster.Node(), TestCluster.Node(), TestCluster.Node());
        try
        {
            var release = TestSignals.NewGate();
            var runs = new ConcurrentDictionary<string, int>();
            WorkerPool Gated(ActorSystem node)
            {
                // A crash takes failure detection, the split-brain resolver's 2 s and a hand-over: more than the default ask timeout on a loaded machine.
                var options = new WorkerPoolOptions { Workers = 4, ShutdownTimeout = TimeSpan.FromSeconds(5), AskTimeout = TimeSpan.FromSeconds(45) };
                options.Cluster.Enabled = true;
                options.Handlers.Add<TestCluster.Work, string>(TestCluster.Handler, async (work, _) =>
                {
                    runs.AddOrUpdate(work.Tag, 1, (_, n) => n + 1);
                    await release.Task;
                    return work.Tag;
                });
                return WorkerPool.Create(node, options, "jobs");
            }

            Gated(a); // the oldest: the supervisor's node
            var front = Gated(b);
            var other = Gated(c);
            await TestCluster.JoinAsync(a, b, c);
            await TestSignals.EventuallyAsync(() => front.GetStats().WorkersByNode.Count == 3, () => $"{front.GetStats()}");

            // Twenty keys, each task waiting (running, or queued behind the twelve workers) when the supervisor is lost.
            var ids = new Dictionary<string, long>();
            for (var i = 0; i < 20; i++)
            {
                ids[$"k{i}"] = await front.SubmitAsync(TestCluster.Handler, new TestCluster.Work(0, $"k{i}"), new TaskOptions { Key = $"k{i}" });
            }

            await a.Terminate(); // a crash: the singleton moves to b once a is downed
            var again = new List<(string Key, long Id)>();
            foreach (var key in ids.Keys)
            {
                again.Add((key, await other.SubmitAsync(TestCluster.Handler, new TestCluster.Work(0, key), new TaskOptions { Key = key }).WaitAsync(TimeSpan.FromSeconds(60))));
            }

            release.TrySetResult();
            await front.WaitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            await other.WaitAsync().WaitAsync(TimeSpan.FromSeconds(60));

            Assert.All(again, repeat => Assert.Equal(ids[repeat.Key], repeat.Id));
            Assert.Equal(20, runs.Count);
            Assert.Equal(ids.Values.Order(), front.GetResults().Keys.Order());
            Assert.Equal(ids.Values.Order(), other.GetResults().Keys.Order());
        }
        finally
        {
            await TestCluster.StopAllAsync(a, b, c);
        }
    }

    [Fact]
    public async Task RunAsync_with_a_key_taken_by_another_node_must_await_that_tasks_value()
    {
        var a = TestCluster.Node();
        var b = TestCluster.Node();
        try
        {
            var release = TestSignals.NewGate();
            var runs = 0;
            WorkerPool Gated(ActorSystem node)
            {
                var options = new WorkerPoolOptions { Workers = 2, ShutdownTimeout = TimeSpan.FromSeconds(5) };
                options.Cluster.Enabled = true;
                options.Handlers.Add<TestCluster.Work, string>(TestCluster.Handler, async (work, _) =>
                {
                    Interlocked.Increment(ref runs);
                    await release.Task;
                    return work.Tag;
                });
                return WorkerPool.Create(node, options, "jobs");
            }

            var first = Gated(a);
            var second = Gated(b);
            await TestCluster.JoinAsync(a, b);

            var options = new TaskOptions { Key = "report-7" };
            var leader = first.RunAsync<string>(TestCluster.Handler, new TestCluster.Work(0, "from a"), options);
            await TestSignals.EventuallyAsync(() => Volatile.Read(ref runs) == 1, () => $"runs: {runs}");
            var joiners = new[]
            {
                second.RunAsync<string>(TestCluster.Handler, new TestCluster.Work(0, "from b"), options),
                first.RunAsync<string>(TestCluster.Handler, new TestCluster.Work(0, "from a again"), options),
            };
            var joinedId = await second.SubmitAsync(TestCluster.Handler, new TestCluster.Work(0, "id only"), options);
            release.TrySetResult();

            Assert.Equal("from a", await leader.WaitAsync(TestSignals.Patience));
            Assert.All(await Task.WhenAll(joiners).WaitAsync(TestSignals.Patience), value => Assert.Equal("from a", value));
            await second.WaitAsync().WaitAsync(TestSignals.Patience);
            Assert.Equal(1, runs);
            Assert.Equal(joinedId, Assert.Single(second.GetResults().Keys));
            await TestSignals.EventuallyAsync(() => first.GetStats() is { Submitted: 1, Succeeded: 1, Deduplicated: 3 }, () => $"{first.GetStats()}");
        }
        finally
        {
            await TestCluster.StopAllAsync(a, b);
        }
    }

    [Fact]
    public async Task A_key_limited_to_two_must_never_run_more_across_nodes_while_other_workers_stay_busy()
    {
        var a = TestCluster.Node();
        var b = TestCluster.Node();
        try
        {
            var othersAllRunning = TestSignals.NewGate();
            var limited = new ConcurrencyMeter();
            var others = new ConcurrencyMeter();
            WorkerPool Counted(ActorSystem node)
            {
                var options = new WorkerPoolOptions { Workers = 4, ShutdownTimeout = TimeSpan.FromSeconds(5) };
                options.Cluster.Enabled = true;
                options.ConcurrencyLimits["tenant-42"] = 2;
                options.Handlers.Add<TestCluster.Work, string>(TestCluster.Handler, async (work, _) =>
                {
                    using var running = (work.Tag == "tenant-42" ? limited : others).Enter();
                    if (limited.Current + others.Current == 8)
                    {
                        othersAllRunning.TrySetResult(); // two of the limited key beside six others: all eight workers of both nodes busy
                    }

                    await othersAllRunning.Task;
                    return work.Tag;
                });
                return WorkerPool.Create(node, options, "jobs");
            }

            var pool = Counted(a);
            _ = Counted(b);
            await TestCluster.JoinAsync(a, b);
            await TestSignals.EventuallyAsync(() => pool.GetStats().Workers == 8, () => $"{pool.GetStats()}");

            var tenantRuns = Enumerable.Range(0, 10).Select(_ => pool.RunAsync<string>(TestCluster.Handler, new TestCluster.Work(0, "tenant-42"), new TaskOptions { ConcurrencyKey = "tenant-42" })).ToArray();
            var otherRuns = Enumerable.Range(0, 6).Select(i => pool.RunAsync<string>(TestCluster.Handler, new TestCluster.Work(0, $"other-{i}"), new TaskOptions { ConcurrencyKey = $"other-{i}" })).ToArray();

            await othersAllRunning.WaitAsync();
            await Task.WhenAll(tenantRuns.Concat(otherRuns)).WaitAsync(TestSignals.Patience);
            Assert.Equal(2, limited.Max);
            Assert.Equal(6, others.Max);
        }
        finally
        {
            await TestCluster.StopAllAsync(a, b);
        }
    }
}
