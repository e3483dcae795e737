using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace ActorPool.Tests.Cluster;

/// <summary>
/// Delayed tasks on a clustered pool wait in the supervisor singleton: each starts once, at its
/// time, whichever node submitted it, and a singleton failover neither skips nor repeats one.
/// </summary>
[Collection(nameof(ClusterTests))]
public sealed class ClusterDelayTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Delayed_tasks_from_two_nodes_must_each_run_once_at_their_time_after_the_singleton_node_crashed()
    {
        const int PerNode = 20;
        var clock = new FakeTimeProvider(Start);
        var oldest = TestCluster.Node();
        var nodes = new[] { oldest, TestCluster.Node(), TestCluster.Node() };
        try
        {
            var runs = new ConcurrentDictionary<string, int>();
            var ranAt = new ConcurrentBag<DateTimeOffset>();
            var pools = nodes.Select(node => TestCluster.Pool(node, workers: 2, options => options.TimeProvider = clock, work =>
            {
                runs.AddOrUpdate(work.Tag, 1, (_, n) => n + 1);
                ranAt.Add(clock.GetUtcNow());
            })).ToArray();
            await TestCluster.JoinAsync(nodes);

            var later = new TaskOptions { Delay = TimeSpan.FromMinutes(10) };
            for (var i = 0; i < PerNode; i++)
            {
                await pools[1].SubmitAsync(TestCluster.Handler, new TestCluster.Work(0, $"b-{i}"), later);
                await pools[2].SubmitAsync(TestCluster.Handler, new TestCluster.Work(0, $"c-{i}"), later);
            }

            await TestSignals.EventuallyAsync(() => pools[1].GetStats().Delayed == 2 * PerNode, () => $"{pools[1].GetStats().Delayed} delayed");
            Assert.Empty(runs);

            await oldest.Terminate(); // the singleton's node dies; the fronts hand their tasks to its successor
            await TestSignals.EventuallyAsync(
                () => pools[1].GetStats() is { Delayed: 2 * PerNode, Workers: 4 },
                () => $"{pools[1].GetStats().Delayed} delayed, {pools[1].GetStats().Workers} workers after the failover",
                within: TimeSpan.FromSeconds(60));
            Assert.Empty(runs);

            clock.Advance(TimeSpan.FromMinutes(10));
            await Task.WhenAll(pools[1].WaitAsync(), pools[2].WaitAsync()).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(2 * PerNode, runs.Count);
            Assert.All(runs, run => Assert.Equal(1, run.Value));
            Assert.All(ranAt, at => Assert.Equal(Start.AddMinutes(10), at));
        }
        finally
        {
            await TestCluster.StopAllAsync(nodes);
        }
    }

    [Fact]
    public async Task A_clustered_pool_must_refuse_a_schedule_rather_than_fire_it_on_every_node()
    {
        var node = TestCluster.Node();
        try
        {
            var pool = TestCluster.Pool(node, workers: 1);
            var refused = Assert.Throws<NotSupportedException>(() => pool.Schedules.AddOrUpdate("nightly", "0 2 * * *", TestCluster.Handler, new TestCluster.Work(0, "n")));
            Assert.Contains("'nightly'", refused.Message, StringComparison.Ordinal);
            Assert.Empty(pool.Schedules.List());
        }
        finally
        {
            await TestCluster.StopAllAsync(node);
        }
    }
}
