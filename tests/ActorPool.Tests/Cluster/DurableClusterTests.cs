using System.Collections.Concurrent;

namespace ActorPool.Tests.Cluster;

[Collection(nameof(ClusterTests))]
public sealed class DurableClusterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("actorpool-cluster-journal-").FullName;

    [Fact]
    public async Task When_the_node_holding_supervisor_and_front_crashes_the_next_supervisor_must_run_its_unfinished_tasks_from_the_journal()
    {
        // Every node runs the same handler; what ran, and how often, is counted here by tag.
        var ran = new ConcurrentDictionary<string, int>();
        var (a, b, c) = (TestCluster.Node(), TestCluster.Node(), TestCluster.Node());
        try
        {
            var front = Pool(a, ran); // the oldest node: the supervisor is here, and so is the only front
            var survivor = Pool(b, ran);
            Pool(c, ran);
            await TestCluster.JoinAsync(a, b, c);
            await TestSignals.EventuallyAsync(() => front.GetStats().WorkersByNode.Count == 3, () => $"{front.GetStats()}");

            var tags = Enumerable.Range(0, 600).Select(i => $"t{i}").ToArray();
            await front.SubmitManyAsync(TestCluster.Handler, tags.Select(t => (object?)new TestCluster.Work(10, t))).WaitAsync(TestSignals.Patience);
            await TestSignals.EventuallyAsync(() => front.GetResults().Count >= 100, () => $"{front.GetResults().Count} done");
            await a.Terminate(); // a crash: no front is left to submit anything again

            // Only the journal knows the rest now.
            await TestSignals.EventuallyAsync(() => tags.All(ran.ContainsKey), () => $"{ran.Count} of {tags.Length} ran", TimeSpan.FromSeconds(90));
            await TestSignals.EventuallyAsync(() => survivor.GetStats().Resumed > 0, () => $"{survivor.GetStats()}");
            var stats = survivor.GetStats();

            // Every accepted task came back from the journal exactly once: finished (its outcome read
            // back) or not (run again). How many finished outcomes were journaled before the crash
            // depends on the load, since outcomes are journaled behind; that every task is one of the two does not.
            Assert.Equal(tags.Order(), ran.Keys.Order());
            Assert.True(stats.Resumed >= 1, $"{stats}");
            Assert.Equal(tags.Length, stats.Recovered + stats.Resumed);
        }
        finally
        {
            await TestCluster.StopAllAsync(a, b, c);
        }
    }

    [Fact]
    public async Task A_schedule_on_a_durable_cluster_must_run_the_occurrences_that_fell_due_during_a_failover_and_not_repeat_the_earlier_ones()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var runs = new ConcurrentQueue<string>();
        var (a, b, c) = (TestCluster.Node(), TestCluster.Node(), TestCluster.Node());
        try
        {
            WorkerPool Scheduled(Akka.Actor.ActorSystem node) => TestCluster.Pool(
                node,
                configure: o =>
                {
                    o.TimeProvider = clock;
                    o.Persistence.Enabled = true;
                    o.Persistence.ConnectionString = $"Data Source={Path.Combine(_folder, "journal.db")}";
                    o.Schedules["minutely"] = new ScheduleDeclaration { Cron = "* * * * *", Handler = TestCluster.Handler, Payload = """{"DelayMs":0,"Tag":"tick"}""", Overlap = OverlapPolicy.Allow, MisfireThreshold = TimeSpan.FromMinutes(10) };
                },
                ran: work => runs.Enqueue(work.Tag));
            var pools = new[] { Scheduled(a), Scheduled(b), Scheduled(c) };
            await TestCluster.JoinAsync(a, b, c);
            foreach (var pool in pools)
            {
                pool.Start();
            }

            await TestSignals.EventuallyAsync(() => pools[0].Schedules.Driving, () => "the oldest node does not drive", TimeSpan.FromSeconds(60));
            for (var minute = 1; minute <= 3; minute++)
            {
                clock.Advance(TimeSpan.FromMinutes(1));
                var expected = minute;
                await TestSignals.EventuallyAsync(() => runs.Count == expected, () => $"{runs.Count} runs at minute {expected}", TimeSpan.FromSeconds(60));
            }

            await pools[0].WaitAsync().WaitAsync(TestSignals.Patience);
            await a.Terminate(); // the schedules' and the supervisor's node crashes
            clock.Advance(TimeSpan.FromMinutes(2)); // 09:04 and 09:05 fall due while no node drives

            await TestSignals.EventuallyAsync(() => pools[1].Schedules.Driving || pools[2].Schedules.Driving, () => "no node took over", TimeSpan.FromSeconds(60));
            await TestSignals.EventuallyAsync(() => runs.Count >= 5, () => $"{runs.Count} runs after the failover", TimeSpan.FromSeconds(60));
            var survivor = pools[1].Schedules.Driving ? pools[1] : pools[2];
            await survivor.WaitAsync().WaitAsync(TimeSpan.FromSeconds(60));

            // 09:01-09:03 fired again join the runs the journal has; only a run whose outcome the crash cut off may run again.
            Assert.InRange(runs.Count, 5, 6);
            var before = runs.Count;
            clock.Advance(TimeSpan.FromMinutes(1));
            await TestSignals.EventuallyAsync(() => runs.Count == before + 1, () => $"{runs.Count - before} runs of 09:06", TimeSpan.FromSeconds(60));
            await survivor.WaitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(before + 1, runs.Count);
        }
        finally
        {
            await TestCluster.StopAllAsync(a, b, c);
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private WorkerPool Pool(Akka.Actor.ActorSystem node, ConcurrentDictionary<string, int> ran) =>
        TestCluster.Pool(
            node,
            configure: o =>
            {
                o.Persistence.Enabled = true;
                o.Persistence.ConnectionString = $"Data Source={Path.Combine(_folder, "journal.db")}";
            },
            ran: work => ran.AddOrUpdate(work.Tag, 1, static (_, n) => n + 1));
}
