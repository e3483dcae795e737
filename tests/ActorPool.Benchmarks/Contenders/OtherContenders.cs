using System.Threading.Tasks.Dataflow;
using Akka.Actor;
using Akka.Routing;

namespace ActorPool.Benchmarks.Contenders;

/// <summary>TPL Dataflow's <see cref="ActionBlock{TInput}"/> with a degree of parallelism and a bounded capacity.</summary>
public sealed class DataflowContender(int workers) : IContender
{
    public const string ContenderName = "Dataflow ActionBlock";

    public string Name => ContenderName;

    public async Task RunAllAsync(int count, Func<CancellationToken, Task> work)
    {
        var block = new ActionBlock<Func<CancellationToken, Task>>(
            w => w(CancellationToken.None),
            new ExecutionDataflowBlockOptions { MaxDegreeOfParallelism = workers, BoundedCapacity = 100_000 });
        for (var i = 0; i < count; i++)
        {
            await block.SendAsync(work);
        }

        block.Complete();
        await block.Completion;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary><see cref="Parallel.ForEachAsync{TSource}(IEnumerable{TSource}, ParallelOptions, Func{TSource, CancellationToken, ValueTask})"/> over the task indexes.</summary>
public sealed class ParallelForEachContender(int workers) : IContender
{
    public const string ContenderName = "Parallel.ForEachAsync";

    public string Name => ContenderName;

    public Task RunAllAsync(int count, Func<CancellationToken, Task> work) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = workers }, (_, ct) => new ValueTask(work(ct)));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Plain Akka.NET: a round-robin pool of actors that run the work and reply, asked with a timeout.</summary>
public sealed class AkkaRoundRobinContender : IContender
{
    public const string ContenderName = "Akka RoundRobinPool + Ask";

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(60);
    private readonly ActorSystem _system;
    private readonly IActorRef _router;

    public AkkaRoundRobinContender(int workers)
    {
        _system = ActorSystem.Create("baseline", "akka.loglevel = WARNING\nakka.coordinated-shutdown.run-by-clr-shutdown-hook = off");
        _router = _system.ActorOf(Props.Create<RunActor>().WithRouter(new RoundRobinPool(workers)), "workers");
    }

    public string Name => ContenderName;

    public async Task RunAllAsync(int count, Func<CancellationToken, Task> work)
    {
        var replies = new Task[count];
        for (var i = 0; i < count; i++)
        {
            replies[i] = _router.Ask<Status.Success>(work, AskTimeout);
        }

        await Task.WhenAll(replies);
    }

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

/// <summary>ActorPool itself, driven three ways.</summary>
public sealed class ActorPoolContender : IContender
{
    public const string SubmitName = "ActorPool SubmitAsync";
    public const string SubmitManyName = "ActorPool SubmitManyAsync";
    public const string RunName = "ActorPool RunAsync";

    private const int Batch = 1024;
    private readonly Mode _mode;

    public ActorPoolContender(int workers, Mode mode)
    {
        _mode = mode;
        Pool = new WorkerPool(new WorkerPoolOptions { Workers = workers, QueueSize = 100_000, MaxRetainedResults = 0 });
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
        _ => RunName,
    };

    public async Task RunAllAsync(int count, Func<CancellationToken, Task> work)
    {
        switch (_mode)
        {
            case Mode.Submit:
                for (var i = 0; i < count; i++)
                {
                    await Pool.SubmitAsync(work);
                }

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
                var runs = new Task[count];
                Func<CancellationToken, Task<bool>> body = async ct =>
                {
                    await work(ct);
                    return true;
                };
                for (var i = 0; i < count; i++)
                {
                    runs[i] = Pool.RunAsync(body);
                }

                await Task.WhenAll(runs);
                break;
        }
    }

    public async ValueTask DisposeAsync() => await Pool.DisposeAsync();
}
