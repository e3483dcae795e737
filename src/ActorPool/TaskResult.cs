namespace ActorPool;

/// <summary>The recorded outcome of one accepted task, keyed by its pool-assigned id.</summary>
/// <param name="TaskId">The id the pool returned when it accepted the task.</param>
/// <param name="Outcome">How the task ended.</param>
/// <param name="Error">The exception behind a failed, cancelled or timed-out task; <see langword="null"/> on success.</param>
/// <param name="Duration">How long the task ran; zero when it never started.</param>
/// <param name="StartedAt">When the task started, or when its outcome was recorded if it never started.</param>
/// <param name="Attempts">How many times the task was started; zero when it never started.</param>
public sealed record TaskResult(
    long TaskId,
    TaskOutcome Outcome,
    Exception? Error,
    TimeSpan Duration,
    DateTimeOffset StartedAt,
    int Attempts)
{
    /// <summary>The caller-chosen key from <see cref="TaskOptions.Id"/>, if one was given.</summary>
    public string? Key { get; init; }

    /// <summary>The address of the cluster node that ran the task (its last try), for a clustered pool; null otherwise.</summary>
    public string? Node { get; init; }

    /// <summary>The handler's name, for a named task; null for a closure.</summary>
    public string? Handler { get; init; }

    /// <summary>The payload as JSON, for a named task; null for a closure.</summary>
    public string? Payload { get; init; }

    /// <summary>The id of the task this one retries (see <see cref="IWorkerPool.RetryAsync"/>); null for a first submit.</summary>
    public long? RetryOf { get; init; }

    /// <summary>How long the task waited from its acceptance to its first start; zero when it never started.</summary>
    public TimeSpan QueueWait { get; init; }
}
