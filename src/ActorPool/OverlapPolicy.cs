namespace ActorPool;

/// <summary>What a schedule does when an occurrence comes while its previous run has not ended.</summary>
public enum OverlapPolicy
{
    /// <summary>The occurrence is skipped and counted in <see cref="ScheduleInfo.SkippedFires"/>: at most one run of the schedule at a time.</summary>
    Skip,

    /// <summary>The occurrence waits for the previous run to end, then runs; occurrences that come while one already waits are merged into it (and counted as skipped).</summary>
    Queue,

    /// <summary>Every occurrence runs, whether or not earlier runs have ended.</summary>
    Allow,
}
