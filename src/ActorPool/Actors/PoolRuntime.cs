using ActorPool.Admission;
using ActorPool.Outcomes;
using Akka.Actor;

namespace ActorPool.Actors;

/// <summary>The parts of one pool the supervisor works with, made by <see cref="WorkerPool"/> before the supervisor starts.</summary>
internal sealed class PoolRuntime
{
    public required WorkerPoolOptions Options { get; init; }

    public required string Name { get; init; }

    public required AdmissionGate Gate { get; init; }

    public required Admission.Inbox Inbox { get; init; }

    public required OutcomeRecorder Recorder { get; init; }

    public required PoolCounters Counters { get; init; }

    /// <summary>Fired for the start token, a forced stop or the shutdown deadline: running tasks see it.</summary>
    public required CancellationTokenSource PoolCancellation { get; init; }

    /// <summary>Makes the props of one worker; tests swap in their own.</summary>
    public Func<WorkerContext, Props> WorkerProps { get; init; } = WorkerActor.Props;

    /// <summary>What the workers share; built once from the rest.</summary>
    public WorkerContext CreateWorkerContext() => new()
    {
        Recorder = Recorder,
        PoolToken = PoolCancellation.Token,
        TaskTimeout = OptionLimits.Limit(Options.TaskTimeout),
        QueueTimeout = OptionLimits.Limit(Options.QueueTimeout),
        MaxAttempts = Options.MaxAttempts,
        ShouldRetry = Options.ShouldRetry,
        InsideMarker = Gate.MayWaitForRoom ? Gate.Marker : null,
    };
}
