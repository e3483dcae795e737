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
    public async Task A_schedule_declared_on_every_node_must_fire_each_occurrence_once_and_move_with_its_singleton_when_that_node_crashes()
    {
        var clock = new FakeTimeProvider(Start);
        var oldest = TestCluster.Node();
        var nodes = new[] { oldest, TestCluster.Node(), TestCluster.Node() };
        try
        {
            var runs = new ConcurrentQueue<DateTimeOffset>();
            var pools = nodes.Select(node => TestCluster.Pool(node, workers: 2, options =>
            {
                options.TimeProvider = clock;
                options.Schedules["minutely"] = new ScheduleDeclaration { Cron = "* * * * *", Handler = TestCluster.Handler, Payload = """{"DelayMs":0,"Tag":"tick"}""", Overlap = OverlapPolicy.Allow };
            }, _ => runs.Enqueue(clock.GetUtcNow()))).ToArray();
            await TestCluster.JoinAsync(nodes);
            foreach (var pool in pools)
            {
                pool.Start();
            }

            await TestSignals.EventuallyAsync(() => pools[0].Schedules.Driving, () => "the oldest node does not drive the schedules", within: TimeSpan.FromSeconds(60));
            Assert.False(pools[1].Schedules.Driving || pools[2].Schedules.Driving);
            for (var minute = 1; minute <= 3; minute++)
            {
                clock.Advance(TimeSpan.FromMinutes(1));
                var expected = minute;
                await TestSignals.EventuallyAsync(() => runs.Count == expected, () => $"{runs.Count} runs at minute {expected}", within: TimeSpan.FromSeconds(60));
            }

            await oldest.Terminate(); // the node holding the schedule's singleton dies
            await TestSignals.EventuallyAsync(() => pools[1].Schedules.Driving || pools[2].Schedules.Driving, () => "no node took the schedules over", within: TimeSpan.FromSeconds(60));
            Assert.False(pools[1].Schedules.Driving && pools[2].Schedules.Driving);
            await TestSignals.EventuallyAsync(() => pools[1].GetStats().Workers == 4, () => $"{pools[1].GetStats().Workers} workers after the failover", within: TimeSpan.FromSeconds(60));
            for (var minute = 4; minute <= 6; minute++)
            {
                clock.Advance(TimeSpan.FromMinutes(1));
                var expected = minute;
                await TestSignals.EventuallyAsync(() => runs.Count == expected, () => $"{runs.Count} runs at minute {expected}", within: TimeSpan.FromSeconds(60));
            }

            await Task.WhenAll(pools[1].WaitAsync(), pools[2].WaitAsync()).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(Enumerable.Range(1, 6).Select(m => Start.AddMinutes(m)), runs.Order());
        }
        finally
        {
            await TestCluster.StopAllAsync(nodes);
        }
    }
}
