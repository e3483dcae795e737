namespace ActorPool;

/// <summary>Per-task settings; a <see langword="null"/> member falls back to the pool's default.</summary>
public sealed class TaskOptions
{
    /// <summary>A caller-chosen key kept beside the numeric task id in the <see cref="TaskResult"/>.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? Id { get; init; }

    /// <summary>The task's priority: with <see cref="WorkerPoolOptions.EnablePriority"/> on, a waiting task of higher priority starts first.</summary>
    /// <value>Defaults to 0. Any value is allowed; equal priorities start in submission order.</value>
    public int Priority { get; init; }

    /// <summary>How long the task may run before its token is cancelled and it is recorded <see cref="TaskOutcome.TimedOut"/>.</summary>
    /// <value>Defaults to <see langword="null"/>: use <see cref="WorkerPoolOptions.TaskTimeout"/>. Must be &gt; 0; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> or 24.8 days and more mean no limit.</value>
    public TimeSpan? Timeout { get; init; }

    /// <summary>How long the task may wait in the queue; if it has not started by then it is recorded <see cref="TaskOutcome.TimedOut"/> and never runs.</summary>
    /// <value>Defaults to <see langword="null"/>: use <see cref="WorkerPoolOptions.QueueTimeout"/>. Must be &gt; 0; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> or 24.8 days and more mean no limit.</value>
    public TimeSpan? QueueTimeout { get; init; }

    /// <summary>How many times the task is tried in all if it fails.</summary>
    /// <value>Defaults to <see langword="null"/>: use <see cref="WorkerPoolOptions.MaxAttempts"/>. Must be between 1 and 1,000.</value>
    public int? MaxAttempts { get; init; }

    /// <summary>Called once with the task's recorded result, whatever its outcome, off the pool's dispatch path.</summary>
    /// <value>Defaults to <see langword="null"/>. An exception it throws is logged and otherwise ignored.</value>
    public Action<TaskResult>? OnCompleted { get; init; }

    /// <summary>Checks every property; every submit path calls it before it accepts the task.</summary>
    internal void Validate()
    {
        CheckDuration(Timeout, nameof(Timeout));
        CheckDuration(QueueTimeout, nameof(QueueTimeout));
        if (MaxAttempts is { } attempts)
        {
            WorkerPoolOptions.CheckRange(attempts, 1, OptionLimits.MaxAttempts, nameof(MaxAttempts));
        }
    }

    private static void CheckDuration(TimeSpan? value, string name)
    {
        if (value is { } duration && duration <= TimeSpan.Zero && duration != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, duration, $"{name} must be > 0, was: {duration}.");
        }
    }
}
