using ActorPool.Work;

namespace ActorPool.Actors;

/// <summary>
/// What every run of one pool's tasks follows, whoever hosts it (a local worker, a cluster
/// worker on some node): the token that ends runs, the default timeout, the retry rule, and
/// where a run whose deadline passed is reported.
/// </summary>
internal abstract class RunRules
{
    /// <summary>Cancelled when the runs must end: the pool stops, or the node that hosts them leaves.</summary>
    public required CancellationToken PoolToken { get; init; }

    /// <summary>The pool's default run timeout, or null for none.</summary>
    public required TimeSpan? TaskTimeout { get; init; }

    public required int MaxAttempts { get; init; }

    public required Func<Exception, bool> ShouldRetry { get; init; }

    /// <summary>The mark of the pool's tasks, when the rule that they never wait for room in their own pool can matter; else null.</summary>
    public required object? InsideMarker { get; init; }

    public abstract TimeProvider Time { get; }

    /// <summary>
    /// Whether a fired <see cref="PoolToken"/> ends retries. A stopping local pool runs nothing
    /// again; a node leaving a cluster does not stop the pool, whose other nodes may try again.
    /// </summary>
    public virtual bool PoolTokenEndsRetries => true;

    /// <summary>The run timeout of a task: its own, else the pool's; null for none.</summary>
    public TimeSpan? TimeoutOf(TaskOptions? options) =>
        options?.Timeout is { } own ? OptionLimits.Limit(own) : TaskTimeout;

    /// <summary>
    /// The deadline of a running task passed: report it timed out now, though its delegate may
    /// still run. Called on a timer thread, before the task's token is cancelled; whoever wins the
    /// task's state (this or the run's end) reports it.
    /// </summary>
    public abstract void DeadlinePassed(WorkItem item, TimeoutException error);
}
