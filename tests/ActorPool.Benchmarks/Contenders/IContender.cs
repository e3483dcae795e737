namespace ActorPool.Benchmarks.Contenders;

/// <summary>One way of running many small tasks on a fixed number of workers.</summary>
public interface IContender : IAsyncDisposable
{
    /// <summary>The name shown in result tables.</summary>
    string Name { get; }

    /// <summary>Runs <paramref name="count"/> tasks of <paramref name="work"/>, called as its users call it (<see cref="ClosedLoop"/>), and returns once all have finished.</summary>
    Task RunAllAsync(int count, Func<CancellationToken, Task> work);
}

/// <summary>The contenders a run compares, by name, each made for a worker count.</summary>
public static class ContenderCatalog
{
    /// <summary>The overhead row's contenders: every pool a service would call per task, driven the same way.</summary>
    public static readonly string[] Names =
    [
        ChannelsPool.CountedName,
        ChannelsPool.CompletionName,
        ActorPoolContender.SubmitName,
        ActorPoolContender.SubmitManyName,
        ActorPoolContender.RunName,
        ActorPoolContender.RunUnretainedName,
        ActorPoolContender.RunKeyedName,
        AkkaRoundRobinContender.ContenderName,
        AkkaRoundRobinContender.TimedName,
    ];

    public static IContender Create(string name, int workers) => name switch
    {
        ChannelsPool.CountedName => new ChannelsPool(workers, withCompletion: false),
        ChannelsPool.CompletionName => new ChannelsPool(workers, withCompletion: true),
        ActorPoolContender.SubmitName => new ActorPoolContender(workers, ActorPoolContender.Mode.Submit),
        ActorPoolContender.SubmitManyName => new ActorPoolContender(workers, ActorPoolContender.Mode.SubmitMany),
        ActorPoolContender.RunName => new ActorPoolContender(workers, ActorPoolContender.Mode.Run),
        ActorPoolContender.RunUnretainedName => new ActorPoolContender(workers, ActorPoolContender.Mode.Run, unretained: true),
        ActorPoolContender.RunKeyedName => new ActorPoolContender(workers, ActorPoolContender.Mode.Run, keyed: true),
        DataflowContender.ContenderName => new DataflowContender(workers),
        ParallelForEachContender.ContenderName => new ParallelForEachContender(workers),
        AkkaRoundRobinContender.ContenderName => new AkkaRoundRobinContender(workers),
        AkkaRoundRobinContender.TimedName => new AkkaRoundRobinContender(workers, timed: true),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, $"Unknown contender '{name}'."),
    };
}
