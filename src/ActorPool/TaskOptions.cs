namespace ActorPool;

/// <summary>Per-task settings; a <see langword="null"/> member falls back to the pool's default.</summary>
public sealed class TaskOptions
{
    /// <summary>A caller-chosen key kept beside the numeric task id in the <see cref="TaskResult"/>.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? Id { get; init; }

    /// <summary>How long the task may run before its token is cancelled and it is recorded <see cref="TaskOutcome.TimedOut"/>.</summary>
    /// <value>Defaults to <see langword="null"/>: use <see cref="WorkerPoolOptions.TaskTimeout"/>.</value>
    public TimeSpan? Timeout { get; init; }

    internal void Validate()
    {
        if (Timeout is { } timeout && timeout <= TimeSpan.Zero && timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), timeout, $"{nameof(Timeout)} must be > 0, was: {timeout}.");
        }
    }
}
