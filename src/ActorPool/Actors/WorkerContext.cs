using ActorPool.Outcomes;
using Akka.Actor;

namespace ActorPool.Actors;

/// <summary>What every worker of one pool shares: where outcomes go, the pool's token, and the per-task rules.</summary>
internal sealed class WorkerContext
{
    private long _readyTimestamp;

    public required OutcomeRecorder Recorder { get; init; }

    /// <summary>Cancelled when the start token fires, a stop is forced or the shutdown deadline passes.</summary>
    public required CancellationToken PoolToken { get; init; }

    /// <summary>The pool's default run timeout, or null for none.</summary>
    public required TimeSpan? TaskTimeout { get; init; }

    /// <summary>The pool's default queue timeout, or null for none.</summary>
    public required TimeSpan? QueueTimeout { get; init; }

    public required int MaxAttempts { get; init; }

    public required Func<Exception, bool> ShouldRetry { get; init; }

    /// <summary>The mark of the pool's tasks, when the rule that they never wait for room in their own pool can matter; else null.</summary>
    public required object? InsideMarker { get; init; }

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

    public TimeProvider Time => Recorder.Time;

    /// <summary>The run timeout of a task: its own, else the pool's; null for none.</summary>
    public TimeSpan? TimeoutOf(TaskOptions? options) =>
        options?.Timeout is { } own ? OptionLimits.Limit(own) : TaskTimeout;

    /// <summary>The queue timeout of a task: its own, else the pool's; null for none.</summary>
    public TimeSpan? QueueTimeoutOf(TaskOptions? options) =>
        options?.QueueTimeout is { } own ? OptionLimits.Limit(own) : QueueTimeout;
}
