using System.Diagnostics.CodeAnalysis;
using ActorPool.Benchmarks.Contenders;
using ActorPool.Benchmarks.Scenarios;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace ActorPool.Benchmarks.Suite;

/// <summary>
/// 5. Cancel → stopped with 100 busy workers and 10,000 pending tasks (see <see cref="CancelScenario"/>).
/// Each iteration builds a fresh pool in its setup and measures only the cancel; the exception
/// column counts first-chance exceptions per stop, which is what a pending caller can cost.
/// </summary>
[Config(typeof(SuiteConfig))]
[BenchRow(Row.CancelToStopped)]
[ExceptionDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 15, invocationCount: 1)]
public class CancelBenchmarks
{
    private CancelScenario? _scenario;

    [IterationSetup(Target = nameof(Channels))]
    public void SetupChannels() => Prepare(ChannelsPool.CountedName);

    [IterationSetup(Target = nameof(ChannelsWithCompletion))]
    public void SetupChannelsWithCompletion() => Prepare(ChannelsPool.CompletionName);

    [IterationSetup(Target = nameof(ActorPoolSubmit))]
    public void SetupActorPoolSubmit() => Prepare(ActorPoolContender.SubmitName);

    [IterationSetup(Target = nameof(ActorPoolRun))]
    public void SetupActorPoolRun() => Prepare(ActorPoolContender.RunName);

    [IterationCleanup]
    public void Cleanup()
    {
        _scenario?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _scenario = null;
    }

    [Benchmark(Baseline = true, Description = ChannelsPool.CountedName)]
    public Task Channels() => CancelAsync();

    [Benchmark(Description = ChannelsPool.CompletionName)]
    public Task ChannelsWithCompletion() => CancelAsync();

    [Benchmark(Description = ActorPoolContender.SubmitName)]
    public Task ActorPoolSubmit() => CancelAsync();

    [Benchmark(Description = ActorPoolContender.RunName)]
    public Task ActorPoolRun() => CancelAsync();

    // BenchmarkDotNet's setups are synchronous; its benchmark thread has no synchronization
    // context, so blocking on the preparation cannot deadlock.
    private void Prepare(string contender) => _scenario = CancelScenario.PrepareAsync(contender).GetAwaiter().GetResult();

    private Task<CancelResult> CancelAsync() => _scenario!.CancelAndWaitAsync();
}

/// <summary>
/// 6. Bytes per queued task with 1,000,000 queued (see <see cref="QueuedScenario"/>). The time and
/// allocation columns are those of queueing; B/queued is the heap held while they wait.
/// </summary>
[Config(typeof(SuiteConfig))]
[BenchRow(Row.QueuedMemory, Tasks = QueuedTasks)]
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class QueuedMemoryBenchmarks
{
    private const int QueuedTasks = 1_000_000;
    private QueuedScenario? _scenario;
    private string _method = "";

    [IterationSetup(Target = nameof(ChannelsWithCompletion))]
    public void SetupChannelsWithCompletion() => Prepare(nameof(ChannelsWithCompletion), ChannelsPool.CompletionName);

    [IterationSetup(Target = nameof(Channels))]
    public void SetupChannels() => Prepare(nameof(Channels), ChannelsPool.CountedName);

    [IterationSetup(Target = nameof(ActorPoolSubmit))]
    public void SetupActorPoolSubmit() => Prepare(nameof(ActorPoolSubmit), ActorPoolContender.SubmitName);

    [IterationSetup(Target = nameof(ActorPoolRun))]
    public void SetupActorPoolRun() => Prepare(nameof(ActorPoolRun), ActorPoolContender.RunName);

    [IterationCleanup]
    public void Cleanup()
    {
        if (_scenario is null)
        {
            return;
        }

        SideMetrics.Record(typeof(QueuedMemoryBenchmarks), _method, SideMetrics.QueuedBytes, _scenario.RetainedBytesPerTask());
        _scenario.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _scenario = null;
    }

    [GlobalCleanup]
    public void Flush() => SideMetrics.Flush(typeof(QueuedMemoryBenchmarks), _method);

    [Benchmark(Baseline = true, Description = ChannelsPool.CompletionName)]
    public Task ChannelsWithCompletion() => _scenario!.EnqueueAsync(QueuedTasks);

    [Benchmark(Description = ChannelsPool.CountedName)]
    public Task Channels() => _scenario!.EnqueueAsync(QueuedTasks);

    [Benchmark(Description = ActorPoolContender.SubmitName)]
    public Task ActorPoolSubmit() => _scenario!.EnqueueAsync(QueuedTasks);

    [Benchmark(Description = ActorPoolContender.RunName)]
    public Task ActorPoolRun() => _scenario!.EnqueueAsync(QueuedTasks);

    private void Prepare(string method, string contender)
    {
        _method = method;
        _scenario = QueuedScenario.PrepareAsync(contender).GetAwaiter().GetResult();
    }
}

/// <summary>
/// 4. Latency at 10,000 tasks/s (see <see cref="LatencyScenario"/>): each invocation is one paced
/// second of 10,000 requests, so the time columns only show the pacing; p50 and p99 are the figures.
/// One class per worker count, since the side metrics are kept per class and method.
/// </summary>
[Config(typeof(SuiteConfig))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
[SuppressMessage("Reliability", "CA1001", Justification = "BenchmarkDotNet owns the lifetime: the global cleanup disposes the scenario.")]
public abstract class LatencyBenchmarks
{
    private LatencyScenario? _scenario;
    private string _method = "";

    protected abstract int Workers { get; }

    [GlobalSetup(Target = nameof(ChannelsWithCompletion))]
    public void SetupChannelsWithCompletion() => Setup(nameof(ChannelsWithCompletion), ChannelsPool.CompletionName);

    [GlobalSetup(Target = nameof(ActorPoolRun))]
    public void SetupActorPoolRun() => Setup(nameof(ActorPoolRun), ActorPoolContender.RunName);

    [GlobalSetup(Target = nameof(AkkaAsk))]
    public void SetupAkkaAsk() => Setup(nameof(AkkaAsk), AkkaRoundRobinContender.ContenderName);

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        SideMetrics.Flush(GetType(), _method);
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, Description = ChannelsPool.CompletionName)]
    public Task ChannelsWithCompletion() => PacedSecondAsync();

    [Benchmark(Description = ActorPoolContender.RunName)]
    public Task ActorPoolRun() => PacedSecondAsync();

    [Benchmark(Description = AkkaRoundRobinContender.ContenderName)]
    public Task AkkaAsk() => PacedSecondAsync();

    private void Setup(string method, string contender)
    {
        _method = method;
        _scenario = new LatencyScenario(contender, Workers);
    }

    private async Task PacedSecondAsync()
    {
        var latency = await _scenario!.RunPacedAsync(LatencyScenario.PerSecond);
        SideMetrics.Record(GetType(), _method, SideMetrics.P50Microseconds, latency.P50.TotalMicroseconds);
        SideMetrics.Record(GetType(), _method, SideMetrics.P99Microseconds, latency.P99.TotalMicroseconds);
    }
}

/// <summary>4. Latency at 10,000 tasks/s on 2 workers.</summary>
[BenchRow(Row.Latency)]
public class LatencyTwoWorkersBenchmarks : LatencyBenchmarks
{
    protected override int Workers => 2;
}

/// <summary>4. Latency at 10,000 tasks/s on 8 workers.</summary>
[BenchRow(Row.Latency)]
public class LatencyEightWorkersBenchmarks : LatencyBenchmarks
{
    protected override int Workers => 8;
}
