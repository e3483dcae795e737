using System.Threading.Tasks.Dataflow;
using Akka.Actor;
using Akka.Routing;

namespace ActorPool.Benchmarks.Contenders;

/// <summary>TPL Dataflow's <see cref="ActionBlock{TInput}"/> with a degree of parallelism and a bounded capacity; callers await their <c>SendAsync</c>.</summary>
public sealed class DataflowContender(int workers) : IContender
{
    public const string ContenderName = "Dataflow ActionBlock";

    public string Name => ContenderName;

    public async Task RunAllAsync(int count, Func<CancellationToken, Task> work)
    {
        var block = new ActionBlock<Func<CancellationToken, Task>>(
            w => w(CancellationToken.None),
            new ExecutionDataflowBlockOptions { MaxDegreeOfParallelism = workers, BoundedCapacity = 100_000 });
        await ClosedLoop.RunAsync(count, () => new ValueTask(block.SendAsync(work)));
        block.Complete();
        await block.Completion;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary><see cref="Parallel.ForEachAsync{TSource}(IEnumerable{TSource}, ParallelOptions, Func{TSource, CancellationToken, ValueTask})"/> over the task indexes: its own driver, for reference in the wall-time rows.</summary>
public sealed class ParallelForEachContender(int workers) : IContender
{
    public const string ContenderName = "Parallel.ForEachAsync";

    public string Name => ContenderName;

    public Task RunAllAsync(int count, Func<CancellationToken, Task> work) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = workers }, (_, ct) => new ValueTask(work(ct)));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// Plain Akka.NET: a round-robin pool of actors that run the work and reply, each caller awaiting
/// its <c>Ask</c>. The plain <c>Ask&lt;T&gt;(msg)</c> is the baseline (ActorPool's calls carry no
/// per-call timeout either); the timed form, a scheduler timer per call, is a labelled row of its own.
/// </summary>
public sealed class AkkaRoundRobinContender : IContender
{
    public const string ContenderName = "Akka RoundRobinPool + Ask";
    public const string TimedName = "Akka RoundRobinPool + Ask(60 s timeout)";

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(60);
    private readonly ActorSystem _system;
    private readonly IActorRef _router;
    private readonly bool _timed;

    public AkkaRoundRobinContender(int workers, bool timed = false)
    {
        _timed = timed;
        _system = ActorSystem.Create("baseline", "akka.loglevel = WARNING\nakka.coordinated-shutdown.run-by-clr-shutdown-hook = off");
        _router = _system.ActorOf(Props.Create<RunActor>().WithRouter(new RoundRobinPool(workers)), "workers");
    }

    public string Name => _timed ? TimedName : ContenderName;

    public Task RunAllAsync(int count, Func<CancellationToken, Task> work) =>
        ClosedLoop.RunAsync(count, () => new ValueTask(RunOneAsync(work)));

    /// <summary>One awaited request, as a caller writes it.</summary>
    public Task RunOneAsync(Func<CancellationToken, Task> work) =>
        _timed ? _router.Ask<Status.Success>(work, AskTimeout) : _router.Ask<Status.Success>(work);

    public async ValueTask DisposeAsync() => await _system.Terminate();

    private sealed class RunActor : ReceiveActor
    {
        private static readonly Status.Success Done = new(null);

        public RunActor() => ReceiveAsync<Func<CancellationToken, Task>>(async work =>
        {
            await work(CancellationToken.None);
            Sender.Tell(Done);
        });
    }
}

/// <summary>
/// ActorPool itself with its default options (only <c>Workers</c> set, unless a row says
/// otherwise), driven as users call it: callers that await each <c>SubmitAsync</c> (then one
/// <c>WaitAsync</c>) or each <c>RunAsync</c>; <c>SubmitManyAsync</c> in awaited batches of 1,024.
/// </summary>
public sealed class ActorPoolContender : IContender
{
    public const string SubmitName = "ActorPool SubmitAsync";
    public const string SubmitManyName = "ActorPool SubmitManyAsync";
    public const string RunName = "ActorPool RunAsync";
    public const string RunUnretainedName = "ActorPool RunAsync, MaxRetainedResults = 0";
    public const string RunKeyedName = "ActorPool RunAsync, a Key per task";

    private const int Batch = 1024;
    private readonly Mode _mode;
    private readonly bool _unretained;
    private readonly bool _keyed;
    private long _nextKey;

    public ActorPoolContender(int workers, Mode mode, bool unretained = false, bool keyed = false)
    {
        _mode = mode;
        _unretained = unretained;
        _keyed = keyed;
        var options = new WorkerPoolOptions { Workers = workers };
        if (unretained)
        {
            options.MaxRetainedResults = 0;
        }

        Pool = new WorkerPool(options);
        Pool.Start();
    }

    public enum Mode
    {
        Submit,
        SubmitMany,
        Run,
    }

    public WorkerPool Pool { get; }

    public string Name => _mode switch
    {
        Mode.Submit => SubmitName,
        Mode.SubmitMany => SubmitManyName,
        _ => _keyed ? RunKeyedName : _unretained ? RunUnretainedName : RunName,
    };

    public async Task RunAllAsync(int count, Func<CancellationToken, Task> work)
    {
        switch (_mode)
        {
            case Mode.Submit:
                await ClosedLoop.RunAsync(count, () => new ValueTask(Pool.SubmitAsync(work)));
                await Pool.WaitAsync();
                break;
            case Mode.SubmitMany:
                var batch = new Func<CancellationToken, Task>[Batch];
                Array.Fill(batch, work);
                for (var done = 0; done < count; done += Batch)
                {
                    await Pool.SubmitManyAsync(done + Batch <= count ? batch : batch[..(count - done)]);
                }

                await Pool.WaitAsync();
                break;
            default:
                Func<CancellationToken, Task<bool>> body = async ct =>
                {
                    await work(ct);
                    return true;
                };
                // A keyed caller makes its key per call, as a service deduplicating requests by their id does.
                await ClosedLoop.RunAsync(count, () => new ValueTask(_keyed
                    ? Pool.RunAsync(body, new TaskOptions { Key = Interlocked.Increment(ref _nextKey).ToString(System.Globalization.CultureInfo.InvariantCulture) })
                    : Pool.RunAsync(body)));
                break;
        }
    }

    public async ValueTask DisposeAsync() => await Pool.DisposeAsync();
}
