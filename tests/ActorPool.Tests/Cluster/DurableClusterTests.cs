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
