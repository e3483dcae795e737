using System.Diagnostics.CodeAnalysis;
using ActorPool.Benchmarks.Scenarios;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace ActorPool.Benchmarks.Suite;

/// <summary>
/// Issue 12's cluster rows on one <see cref="ClusterScenario"/> per benchmark process: three
/// worker nodes × eight workers and a submit-only node, four actor systems on 127.0.0.1. Starting
/// the cluster is the global setup; each invocation submits a whole run and waits for every outcome.
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification = "BenchmarkDotNet owns the lifetime: the global cleanup disposes the cluster.")]
public abstract class ClusterBenchmarks
{
    protected ClusterScenario? Cluster { get; private set; }

    [GlobalSetup]
    public async Task SetupAsync() => Cluster = await ClusterScenario.StartAsync();

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}

/// <summary>7. No-op named tasks, 100,000 per invocation, every one run on another node than the submitter's: tasks/s, target at least 30,000.</summary>
[Config(typeof(SuiteConfig))]
[BenchRow(Row.ClusterNoOp, Tasks = NoOpTasks)]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class ClusterNoOpBenchmarks : ClusterBenchmarks
{
    private const int NoOpTasks = 100_000;

    [Benchmark(Description = ClusterScenario.ContenderName)]
    public Task NoOp() => Cluster!.RunNoOpAsync(NoOpTasks);
}

/// <summary>7. 2,000 × 20 ms named tasks on 24 workers over three nodes: time over the ideal 1,667 ms, target at most 1.2.</summary>
[Config(typeof(SuiteConfig))]
[BenchRow(Row.ClusterWall, Tasks = ClusterScenario.WallTasks, IdealMilliseconds = ClusterScenario.IdealMilliseconds)]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class ClusterWallBenchmarks : ClusterBenchmarks
{
    [Benchmark(Description = ClusterScenario.ContenderName)]
    public Task Sleep() => Cluster!.RunSleepAsync(ClusterScenario.WallTasks, ClusterScenario.WallDelayMs);
}
