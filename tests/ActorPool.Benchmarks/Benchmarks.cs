using ActorPool.Benchmarks.Contenders;
using BenchmarkDotNet.Attributes;

namespace ActorPool.Benchmarks;

/// <summary>Runs one workload on every contender, the Channels pool as the baseline.</summary>
public abstract class ContenderBenchmarks
{
    private readonly Dictionary<string, IContender> _contenders = [];

    protected abstract int Tasks { get; }

    protected abstract int WorkerCount { get; }

    protected abstract Func<CancellationToken, Task> Work { get; }

    [GlobalSetup]
    public void Setup()
    {
        foreach (var name in ContenderCatalog.Names)
        {
            _contenders[name] = ContenderCatalog.Create(name, WorkerCount);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (var contender in _contenders.Values)
        {
            await contender.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, Description = ChannelsPool.CountedName)]
    public Task Channels() => Run(ChannelsPool.CountedName);

    [Benchmark(Description = ChannelsPool.CompletionName)]
    public Task ChannelsWithCompletion() => Run(ChannelsPool.CompletionName);

    [Benchmark(Description = ActorPoolContender.SubmitName)]
    public Task ActorPoolSubmit() => Run(ActorPoolContender.SubmitName);

    [Benchmark(Description = ActorPoolContender.SubmitManyName)]
    public Task ActorPoolSubmitMany() => Run(ActorPoolContender.SubmitManyName);

    [Benchmark(Description = ActorPoolContender.RunName)]
    public Task ActorPoolRun() => Run(ActorPoolContender.RunName);

    [Benchmark(Description = DataflowContender.ContenderName)]
    public Task Dataflow() => Run(DataflowContender.ContenderName);

    [Benchmark(Description = ParallelForEachContender.ContenderName)]
    public Task ParallelForEach() => Run(ParallelForEachContender.ContenderName);

    [Benchmark(Description = AkkaRoundRobinContender.ContenderName)]
    public Task AkkaAsk() => Run(AkkaRoundRobinContender.ContenderName);

    private Task Run(string name) => _contenders[name].RunAllAsync(Tasks, Work);
}

/// <summary>1. Overhead: 1,000,000 tasks that do nothing.</summary>
[MemoryDiagnoser]
public class OverheadBenchmarks : ContenderBenchmarks
{
    [Params(2, 8)]
    public int Workers { get; set; }

    protected override int Tasks => 1_000_000;

    protected override int WorkerCount => Workers;

    protected override Func<CancellationToken, Task> Work => Workloads.NoOp;
}

/// <summary>2. I/O-bound: 2,000 tasks of <c>Task.Delay(10 ms)</c> on 100 workers; the ideal is 200 ms (about 244 ms with Linux timers).</summary>
public class IoBoundBenchmarks : ContenderBenchmarks
{
    protected override int Tasks => 2_000;

    protected override int WorkerCount => 100;

    protected override Func<CancellationToken, Task> Work => Workloads.Io10Ms;
}

/// <summary>3. CPU-bound: 20,000 tasks of ~50 µs on 2 workers; the ideal is tasks × 50 µs / cores.</summary>
public class CpuBoundBenchmarks : ContenderBenchmarks
{
    protected override int Tasks => 20_000;

    protected override int WorkerCount => 2;

    protected override Func<CancellationToken, Task> Work => Workloads.Cpu50Us;
}
