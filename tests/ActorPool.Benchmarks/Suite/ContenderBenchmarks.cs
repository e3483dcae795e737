using ActorPool.Benchmarks.Contenders;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace ActorPool.Benchmarks.Suite;

/// <summary>
/// Runs one workload on every contender, the counted Channels pool as BenchmarkDotNet's baseline
/// (the targets name their own baselines). Each benchmark process makes only its own contender,
/// so idle actor systems and worker loops of the others do not run beside it.
/// </summary>
[Config(typeof(SuiteConfig))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public abstract class ContenderBenchmarks
{
    private IContender? _contender;

    protected abstract int Tasks { get; }

    protected abstract int WorkerCount { get; }

    protected abstract Func<CancellationToken, Task> Work { get; }

    [GlobalSetup(Target = nameof(Channels))]
    public void SetupChannels() => Setup(ChannelsPool.CountedName);

    [GlobalSetup(Target = nameof(ChannelsWithCompletion))]
    public void SetupChannelsWithCompletion() => Setup(ChannelsPool.CompletionName);

    [GlobalSetup(Target = nameof(ActorPoolSubmit))]
    public void SetupActorPoolSubmit() => Setup(ActorPoolContender.SubmitName);

    [GlobalSetup(Target = nameof(ActorPoolSubmitMany))]
    public void SetupActorPoolSubmitMany() => Setup(ActorPoolContender.SubmitManyName);

    [GlobalSetup(Target = nameof(ActorPoolRun))]
    public void SetupActorPoolRun() => Setup(ActorPoolContender.RunName);

    [GlobalSetup(Target = nameof(Dataflow))]
    public void SetupDataflow() => Setup(DataflowContender.ContenderName);

    [GlobalSetup(Target = nameof(ParallelForEach))]
    public void SetupParallelForEach() => Setup(ParallelForEachContender.ContenderName);

    [GlobalSetup(Target = nameof(AkkaAsk))]
    public void SetupAkkaAsk() => Setup(AkkaRoundRobinContender.ContenderName);

    [GlobalSetup(Target = nameof(AkkaAskTimed))]
    public void SetupAkkaAskTimed() => Setup(AkkaRoundRobinContender.TimedName);

    [GlobalSetup(Target = nameof(ActorPoolRunUnretained))]
    public void SetupActorPoolRunUnretained() => Setup(ActorPoolContender.RunUnretainedName);

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_contender is not null)
        {
            await _contender.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, Description = ChannelsPool.CountedName)]
    public Task Channels() => Run();

    [Benchmark(Description = ChannelsPool.CompletionName)]
    public Task ChannelsWithCompletion() => Run();

    [Benchmark(Description = ActorPoolContender.SubmitName)]
    public Task ActorPoolSubmit() => Run();

    [Benchmark(Description = ActorPoolContender.SubmitManyName)]
    public Task ActorPoolSubmitMany() => Run();

    [Benchmark(Description = ActorPoolContender.RunName)]
    public Task ActorPoolRun() => Run();

    [Benchmark(Description = DataflowContender.ContenderName)]
    public Task Dataflow() => Run();

    [Benchmark(Description = ParallelForEachContender.ContenderName)]
    public Task ParallelForEach() => Run();

    [Benchmark(Description = AkkaRoundRobinContender.ContenderName)]
    public Task AkkaAsk() => Run();

    [Benchmark(Description = AkkaRoundRobinContender.TimedName)]
    public Task AkkaAskTimed() => Run();

    [Benchmark(Description = ActorPoolContender.RunUnretainedName)]
    public Task ActorPoolRunUnretained() => Run();

    private void Setup(string name) => _contender = ContenderCatalog.Create(name, WorkerCount);

    private Task Run() => _contender!.RunAllAsync(Tasks, Work);
}

/// <summary>1. Overhead: 1,000,000 tasks that do nothing, at 2 and at 8 workers.</summary>
[BenchRow(Row.Overhead, Tasks = OverheadTasks)]
[MemoryDiagnoser]
public class OverheadBenchmarks : ContenderBenchmarks
{
    private const int OverheadTasks = 1_000_000;

    [Params(2, 8)]
    public int Workers { get; set; }

    protected override int Tasks => OverheadTasks;

    protected override int WorkerCount => Workers;

    protected override Func<CancellationToken, Task> Work => Workloads.NoOp;
}

/// <summary>2. I/O-bound: 2,000 tasks of <c>Task.Delay(10 ms)</c> on 100 workers; the ideal is 200 ms (about 244 ms with Linux timers).</summary>
[BenchRow(Row.IoBound, Tasks = IoTasks)]
public class IoBoundBenchmarks : ContenderBenchmarks
{
    private const int IoTasks = 2_000;

    protected override int Tasks => IoTasks;

    protected override int WorkerCount => 100;

    protected override Func<CancellationToken, Task> Work => Workloads.Io10Ms;
}

/// <summary>3. CPU-bound: 20,000 tasks of ~50 µs on 2 workers; the ideal is tasks × 50 µs / cores.</summary>
[BenchRow(Row.CpuBound, Tasks = CpuTasks)]
public class CpuBoundBenchmarks : ContenderBenchmarks
{
    private const int CpuTasks = 20_000;

    protected override int Tasks => CpuTasks;

    protected override int WorkerCount => 2;

    protected override Func<CancellationToken, Task> Work => Workloads.Cpu50Us;
}
