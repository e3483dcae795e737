using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ActorPool.Tests.Cluster;

namespace ActorPool.Tests.Diagnostics;

/// <summary>Clustered and durable pools publish under their own name, with the figures users see in GetStats.</summary>
[Collection(nameof(ClusterTests))]
public sealed class ModeMetricsTests : IDisposable
{
    private readonly string _name = $"mode-{Guid.NewGuid():N}"[..13];
    private readonly ConcurrentDictionary<string, long> _latest = new();
    private readonly ConcurrentDictionary<string, byte> _pools = new();
    private readonly MeterListener _listener = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("actorpool-metrics-").FullName;

    public ModeMetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ActorPoolDiagnostics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var pool = Tag(tags, ActorPoolDiagnostics.PoolTag);
            if (pool?.StartsWith(_name, StringComparison.Ordinal) != true)
            {
                return;
            }

            _pools[pool] = 0;
            var detail = Tag(tags, ActorPoolDiagnostics.OutcomeTag) ?? Tag(tags, "actorpool.node");
            _latest[detail is null ? instrument.Name : $"{instrument.Name}/{detail}"] = value;
        });
        _listener.Start();
    }

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
            _listener.RecordObservableInstruments();

            Assert.Equal(3, _latest[$"actorpool.workers/{address}"]);
            Assert.Equal(20, _latest["actorpool.tasks.completed/succeeded"]);
            Assert.Equal(20, _latest["actorpool.tasks.submitted"]);
            Assert.Equal([_name], _pools.Keys); // the node's executor publishes nothing of its own
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
        _listener.RecordObservableInstruments();

        Assert.Equal(15, _latest["actorpool.tasks.completed/succeeded"]);
        Assert.Equal(15, _latest["actorpool.tasks.submitted"]);
        Assert.Equal([_name], _pools.Keys);
        await pool.System!.Terminate();
    }

    public void Dispose()
    {
        _listener.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
