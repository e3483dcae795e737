using ActorPool.Messages;
using ActorPool.Outcomes;
using ActorPool.Work;
using Akka.Actor;

namespace ActorPool.Actors;

/// <summary>What every worker of one local pool shares: the run rules, where outcomes go, and the queue timeouts.</summary>
internal sealed class WorkerContext : RunRules
{
    private long _readyTimestamp;

    public required OutcomeRecorder Recorder { get; init; }

    /// <summary>The pool's default queue timeout, or null for none.</summary>
    public required TimeSpan? QueueTimeout { get; init; }

    /// <summary>Told when a task's run starts (a durable pool journals it); null for no one.</summary>
    public Action<WorkItem>? OnStart { get; init; }

    /// <summary>
    /// When the first worker announced itself (0 until then). A task's queue wait is counted from
    /// its acceptance or this, whichever is later: a pool still starting its workers does not
    /// eat its tasks' queue timeouts.
    /// </summary>
    public long ReadyTimestamp
    {
        get => Volatile.Read(ref _readyTimestamp);
        set => Volatile.Write(ref _readyTimestamp, value);
    }

    /// <summary>When the queue wait of a task accepted at <paramref name="acceptedTimestamp"/> began counting.</summary>
    public long QueueWaitSince(long acceptedTimestamp) => Math.Max(acceptedTimestamp, ReadyTimestamp);

    /// <summary>The supervisor; set by it before it creates any worker.</summary>
    public IActorRef Supervisor { get; set; } = ActorRefs.Nobody;

    public override TimeProvider Time => Recorder.Time;

    /// <summary>Records the task timed out and tells the supervisor, which frees nothing yet: the worker stays busy until the delegate returns.</summary>
    public override void DeadlinePassed(WorkItem item, TimeoutException error)
    {
        if (Recorder.TrySettle(item, ItemState.Running, TaskOutcome.TimedOut, error, ran: true))
        {
            Supervisor.Tell(new TaskSettled(item), ActorRefs.NoSender);
        }
    }

    /// <summary>The queue timeout of a task: its own, else the pool's; null for none.</summary>
    public TimeSpan? QueueTimeoutOf(TaskOptions? options) =>
        options?.QueueTimeout is { } own ? OptionLimits.Limit(own) : QueueTimeout;
}
