namespace ActorPool;

/// <summary>One recurring task's schedule as the pool sees it now.</summary>
public sealed record ScheduleInfo
{
    /// <summary>The schedule's id.</summary>
    public required string Id { get; init; }

    /// <summary>The cron expression, as given.</summary>
    public required string Cron { get; init; }

    /// <summary>The handler each run calls; null for a closure.</summary>
    public string? Handler { get; init; }

    /// <summary>The id of the time zone the expression is read in.</summary>
    public required string TimeZone { get; init; }

    /// <summary>What an occurrence does while the previous run has not ended.</summary>
    public OverlapPolicy Overlap { get; init; }

    /// <summary>What the schedule does with missed occurrences.</summary>
    public MisfirePolicy Misfire { get; init; }

    /// <summary>The next occurrence; null when the expression has none left.</summary>
    public DateTimeOffset? NextRun { get; init; }

    /// <summary>The occurrence of the newest run; null before the first.</summary>
    public DateTimeOffset? LastRun { get; init; }

    /// <summary>The task id of the newest run, once the pool accepted it; null before.</summary>
    public long? LastTaskId { get; init; }

    /// <summary>Whether a run of the schedule waits or runs now.</summary>
    public bool Running { get; init; }

    /// <summary>Runs the schedule started, <see cref="PoolSchedules.TriggerNow"/> included.</summary>
    public long Fires { get; init; }

    /// <summary>Runs that started more than a second after their occurrence (missed, queued behind a run, or held up).</summary>
    public long LateFires { get; init; }

    /// <summary>Occurrences that did not run: skipped by <see cref="OverlapPolicy.Skip"/> or <see cref="MisfirePolicy.Skip"/>, or merged into a waiting one.</summary>
    public long SkippedFires { get; init; }
}
