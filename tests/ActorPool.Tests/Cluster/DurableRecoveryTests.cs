using System.Collections.Concurrent;
using ActorPool.Tests.Durable;
using ActorPool.Tests.Reliability;
using Akka.Actor;

namespace ActorPool.Tests.Cluster;

/// <summary>
/// One recovery scenario on a local durable pool and on a clustered durable one (issue 19): both
/// journals follow the same rules, so a crash leaves the same account of every accepted task.
/// </summary>
[Collection(nameof(ClusterTests))]
public sealed class DurableRecoveryTests : DurableJournalTests
{
    private const int Quick = 5;
    private const int Hanging = 2;

    [Theory]
    [InlineData("local")]
    [InlineData("cluster")]
    public async Task After_a_crash_every_accepted_task_must_come_back_once_finished_or_to_run_again(string mode)
    {
        var ran = new ConcurrentDictionary<string, int>();
        var tags = Enumerable.Range(0, Quick).Select(i => $"q{i}").Concat(Enumerable.Range(0, Hanging).Select(i => $"hang{i}")).ToArray();
        await using var first = await StartAsync(mode, ran, hangFirstRun: true);
        await first.Pool.SubmitManyAsync(TestCluster.Handler, tags.Select(t => (object?)new TestCluster.Work(0, t))).WaitAsync(TestSignals.Patience);
        await TestSignals.EventuallyAsync(() => tags.All(ran.ContainsKey), () => $"{ran.Count} of {tags.Length} started");

        await first.CrashAsync();
        await using var second = await StartAsync(mode, ran, hangFirstRun: false);

        // Each task is one of the two: finished before the crash (its outcome read back) or not (run again).
        await TestSignals.EventuallyAsync(
            () => second.Pool.GetStats() is { } stats && stats.Recovered + stats.Resumed == tags.Length,
            () => $"{second.Pool.GetStats()}");
        await TestSignals.EventuallyAsync(() => tags.Where(t => t.StartsWith("hang", StringComparison.Ordinal)).All(t => ran[t] == 2), () => string.Join(", ", ran));
        var after = second.Pool.GetStats();
        Assert.InRange(after.Resumed, Hanging, tags.Length); // the hanging ones never finished; quick ones whose outcome was not yet written come back too
        Assert.All(tags, tag => Assert.InRange(ran[tag], 1, 2));
    }

    private async Task<Run> StartAsync(string mode, ConcurrentDictionary<string, int> ran, bool hangFirstRun)
    {
        void Configure(WorkerPoolOptions o)
        {
            o.Workers = 4;
            o.ShutdownTimeout = TimeSpan.FromSeconds(5);
            o.Persistence.Enabled = true;
            o.Persistence.ConnectionString = $"Data Source={File}";
            o.Handlers.Add<TestCluster.Work, string>(TestCluster.Handler, async (work, _) =>
            {
                ran.AddOrUpdate(work.Tag, 1, static (_, n) => n + 1);
                if (hangFirstRun && work.Tag.StartsWith("hang", StringComparison.Ordinal))
                {
                    await new TaskCompletionSource().Task; // still running at the crash
                }

                return work.Tag;
            });
        }

        if (mode == "local")
        {
            var local = new WorkerPool(Options(Configure));
            local.Start();
            return new Run(local, null);
        }

        var node = TestCluster.Node();
        var options = new WorkerPoolOptions();
        Configure(options);
        options.Cluster.Enabled = true;
        var pool = WorkerPool.Create(node, options, "jobs");
        await TestCluster.JoinAsync(node);
        return new Run(pool, node);
    }

    /// <summary>A pool of either mode, and its node when clustered.</summary>
    private sealed record Run(WorkerPool Pool, ActorSystem? Node) : IAsyncDisposable
    {
        /// <summary>A process that dies: nothing more is journaled, nothing stops gracefully.</summary>
        public async Task CrashAsync()
        {
            if (Node is null)
            {
                await Pool.CrashAsync();
                return;
            }

            await Node.Terminate().WaitAsync(TestSignals.Patience); // coordinated shutdown is off for Terminate here: a crash
        }

        public async ValueTask DisposeAsync()
        {
            if (Node is null)
            {
                await Pool.StopQuietlyAsync();
                return;
            }

            await TestCluster.StopAllAsync(Node);
        }
    }
}
