namespace ActorPool;

/// <summary>A snapshot of a pool's figures, from <see cref="WorkerPool.GetStats"/>.</summary>
/// <remarks>
/// Once every accepted task has an outcome (after <see cref="WorkerPool.WaitAsync"/> or
/// <see cref="WorkerPool.StopAsync"/>), <c>Submitted == Succeeded + Failed + Cancelled + TimedOut + Dropped + Rejected</c>
/// (for a durable pool, <c>Submitted + Resumed</c> on the left).
/// While tasks are in flight the difference is the number of accepted tasks still waiting,
/// running or waiting for a retry.
/// </remarks>
public sealed record PoolStats
{
    /// <summary>Live workers.</summary>
    public int Workers { get; init; }

    /// <summary>Live workers per cluster node address, for a clustered pool; empty otherwise.</summary>
    public IReadOnlyDictionary<string, int> WorkersByNode { get; init; } = new Dictionary<string, int>();

    /// <summary>Workers running a task now.</summary>
    public int ActiveWorkers { get; init; }

    /// <summary>Accepted tasks waiting for a worker (not counting tasks waiting for a retry).</summary>
    public int Queued { get; init; }

    /// <summary>How many tasks may wait: the pool's <see cref="WorkerPoolOptions.QueueSize"/>, 0 when unbounded.</summary>
    public int QueueCapacity { get; init; }

    /// <summary>Whether the pool no longer accepts tasks: it is stopping or stopped, or its start token fired.</summary>
    public bool IsStopped { get; init; }

    /// <summary>Whether the circuit breaker is open or half-open, so tasks that would start fail fast.</summary>
    public bool IsCircuitOpen { get; init; }

    /// <summary>
    /// Submit calls that made a task: every one is either accepted (and later gets one outcome) or
    /// <see cref="Rejected"/>. A submit that joined an existing task by its key is counted in
    /// <see cref="Deduplicated"/> instead, so <c>Submitted = outcomes + Rejected</c> holds with keys too.
    /// </summary>
    public long Submitted { get; init; }

    /// <summary>Tasks recorded <see cref="TaskOutcome.Succeeded"/>.</summary>
    public long Succeeded { get; init; }

    /// <summary>Tasks recorded <see cref="TaskOutcome.Failed"/>.</summary>
    public long Failed { get; init; }

    /// <summary>Tasks recorded <see cref="TaskOutcome.Cancelled"/>.</summary>
    public long Cancelled { get; init; }

    /// <summary>Tasks recorded <see cref="TaskOutcome.TimedOut"/>.</summary>
    public long TimedOut { get; init; }

    /// <summary>Tasks recorded <see cref="TaskOutcome.Dropped"/>.</summary>
    public long Dropped { get; init; }

    /// <summary>Submits that were not accepted: no workers, stopped pool, full queue, or the caller stopped waiting first.</summary>
    public long Rejected { get; init; }

    /// <summary>Submits that made no task: a task with the same <see cref="TaskOptions.Key"/> was queued, running or finished within its window, and they got its id.</summary>
    public long Deduplicated { get; init; }

    /// <summary>Waiting tasks whose <see cref="TaskOptions.ConcurrencyKey"/> is at its limit (they are counted in <see cref="Queued"/> too).</summary>
    public int WaitingForKey { get; init; }

    /// <summary>Accepted tasks waiting for their <see cref="TaskOptions.NotBefore"/> or <see cref="TaskOptions.Delay"/>; not in <see cref="Queued"/> and holding no queue slot.</summary>
    public int Delayed { get; init; }

    /// <summary>Recurring tasks the pool has (see <see cref="WorkerPool.Schedules"/>).</summary>
    public int Schedules { get; init; }

    /// <summary>The next occurrence of any schedule; null when there is none.</summary>
    public DateTimeOffset? NextScheduledRun { get; init; }

    /// <summary>Schedule runs that started more than a second after their occurrence, since the pool started.</summary>
    public long LateScheduledRuns { get; init; }

    /// <summary>Retries scheduled (a task tried three times counts two).</summary>
    public long Retried { get; init; }

    /// <summary>Workers restarted by the supervisor strategy after a fault.</summary>
    public long WorkerRestarts { get; init; }

    /// <summary>How many times the circuit breaker opened.</summary>
    public long CircuitBreakerTrips { get; init; }

    /// <summary>A durable pool: unfinished tasks found in its journal at start and run again in this run (counted in the outcomes, not in <see cref="Submitted"/>).</summary>
    public long Resumed { get; init; }

    /// <summary>A durable pool: outcomes of tasks finished in an earlier run, read back from its journal into <c>GetResults</c> (not counted in the outcomes).</summary>
    public long Recovered { get; init; }

    /// <summary>The mean run time of the tasks that ran (their last try).</summary>
    public TimeSpan MeanDuration { get; init; }

    /// <summary>The 99th percentile run time over the most recent 4,096 tasks that ran.</summary>
    public TimeSpan P99Duration { get; init; }
}
