namespace ActorPool;

/// <summary>
/// What a schedule does with occurrences it missed by more than <see cref="ScheduleOptions.MisfireThreshold"/>:
/// the pool was stopped or down at their time, or a cluster's singleton was moving.
/// </summary>
public enum MisfirePolicy
{
    /// <summary>All of the missed occurrences together run once, as soon as the schedule sees them; the run counts as late.</summary>
    RunOnce,

    /// <summary>Missed occurrences do not run; they are counted in <see cref="ScheduleInfo.SkippedFires"/> and the schedule waits for its next time.</summary>
    Skip,
}
