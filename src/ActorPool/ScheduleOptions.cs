namespace ActorPool;

/// <summary>How a recurring task's schedule reads its cron expression and what it does when runs overlap or are missed.</summary>
public sealed class ScheduleOptions
{
    /// <summary>The time zone the cron expression is read in, by IANA or Windows id (<c>"Europe/Berlin"</c>); its daylight-saving rules apply.</summary>
    /// <value>Defaults to <see langword="null"/>: UTC.</value>
    public string? TimeZone { get; init; }

    /// <summary>What an occurrence does while the previous run has not ended.</summary>
    /// <value>Defaults to <see cref="OverlapPolicy.Skip"/>: one run at a time.</value>
    public OverlapPolicy Overlap { get; init; } = OverlapPolicy.Skip;

    /// <summary>What the schedule does with occurrences missed by more than <see cref="MisfireThreshold"/>.</summary>
    /// <value>Defaults to <see cref="MisfirePolicy.RunOnce"/>.</value>
    public MisfirePolicy Misfire { get; init; } = MisfirePolicy.RunOnce;

    /// <summary>How late an occurrence may still run on its own; one later than this is missed, and <see cref="Misfire"/> decides.</summary>
    /// <value>Defaults to one minute. Must be from 0 to one day.</value>
    public TimeSpan MisfireThreshold { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The options of every run: <see cref="TaskOptions.Timeout"/>, <see cref="TaskOptions.MaxAttempts"/>, <see cref="TaskOptions.Priority"/> and the like.</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: the pool's defaults. <see cref="TaskOptions.Id"/>, <see cref="TaskOptions.Key"/>,
    /// <see cref="TaskOptions.DeduplicationWindow"/>, <see cref="TaskOptions.NotBefore"/> and <see cref="TaskOptions.Delay"/>
    /// are the schedule's own and may not be set here.
    /// </value>
    public TaskOptions? Task { get; init; }
}
