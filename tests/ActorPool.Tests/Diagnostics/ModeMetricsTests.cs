using ActorPool.Tests.Cluster;

namespace ActorPool.Tests.Diagnostics;

/// <summary>Clustered and durable pools publish under their own name, with the figures users see in GetStats.</summary>
[Collection(nameof(ClusterTests))]
public sealed class ModeMetricsTests : IDisposable
{
    private readonly string _name = $"mode-{Guid.NewGuid():N}"[..13];
    private readonly string _folder = Directory.CreateTempSubdirectory("actorpool-metrics-").FullName;
    private readonly PoolMeterListener _listener;

    public ModeMetricsTests() => _listener = new PoolMeterListener(_name, byPrefix: true);

    [Fact]
    public async Task A_clustered_pool_must_publish_the_clusters_figures_and_workers_by_node_under_its_name()
    {
        var node = TestCluster.Node();
        try
        {
            var options = new WorkerPoolOptions { Workers = 3 };
            options.Cluster.Enabled = true;
            options.Handlers.Add<int, int>("double", (n, _) => Task.FromResult(n * 2));
            var pool = WorkerPool.Create(node, options, _name);
            await TestCluster.JoinAsync(node);
            var address = Akka.Cluster.Cluster.Get(node).SelfAddress.ToString();

            await pool.SubmitManyAsync("double", Enumerable.Range(0, 20).Select(i => (object?)i)).WaitAsync(TestSignals.Patience);
            await pool.WaitAsync().WaitAsync(TestSignals.Patience);
            await TestSignals.EventuallyAsync(() => pool.GetStats().Succeeded == 20, () => $"{pool.GetStats()}");
            var latest = _listener.Collect();

            Assert.Equal(3, latest[$"actorpool.workers/{address}"]);
            Assert.Equal(20, latest["actorpool.tasks.completed/succeeded"]);
            Assert.Equal(20, latest["actorpool.tasks.submitted"]);
            Assert.Equal([_name], _listener.Pools); // the node's executor publishes nothing of its own
        }
        finally
        {
            await TestCluster.StopAllAsync(node);
        }
    }

    [Fact]
    public async Task A_durable_pool_must_publish_under_its_own_name_only()
    {
        var options = new WorkerPoolOptions { Workers = 2 };
        options.Persistence.Enabled = true;
        options.Persistence.ConnectionString = $"Data Source={Path.Combine(_folder, "journal.db")}";
        options.Handlers.Add<int, int>("double", (n, _) => Task.FromResult(n * 2));
        await using var pool = WorkerPool.Create(Akka.Actor.ActorSystem.Create("durable-metrics"), options, _name);
        pool.Start();

        await pool.SubmitManyAsync("double", Enumerable.Range(0, 15).Select(i => (object?)i)).WaitAsync(TestSignals.Patience);
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        var latest = _listener.Collect();

        Assert.Equal(15, latest["actorpool.tasks.completed/succeeded"]);
        Assert.Equal(15, latest["actorpool.tasks.submitted"]);
        Assert.Equal([_name], _listener.Pools);
        await pool.System!.Terminate();
    }

    public void Dispose()
    {
        _listener.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
