namespace ActorPool;

/// <summary>
/// A recurring task declared in configuration rather than in code: <c>actor-pool.schedules</c> in
/// HOCON, or <c>ActorPool:&lt;pool&gt;:Schedules</c> in <c>IConfiguration</c>. The pool adds it as
/// <see cref="PoolSchedules.AddOrUpdate(string, string, string, object?, ScheduleOptions?)"/> would when it is created.
/// </summary>
public sealed class ScheduleDeclaration
{
    /// <summary>The cron expression: five fields, or six with seconds first.</summary>
    public string Cron { get; set; } = string.Empty;

    /// <summary>The registered handler each run calls.</summary>
    public string Handler { get; set; } = string.Empty;

    /// <summary>The handler's payload as JSON text; null for none.</summary>
    public string? Payload { get; set; }

    /// <summary>The time zone the expression is read in; null for UTC.</summary>
    public string? TimeZone { get; set; }

    /// <summary>What an occurrence does while the previous run has not ended.</summary>
    public OverlapPolicy Overlap { get; set; } = OverlapPolicy.Skip;

    /// <summary>What the schedule does with missed occurrences.</summary>
    public MisfirePolicy Misfire { get; set; } = MisfirePolicy.RunOnce;

    /// <summary>How late an occurrence may still run on its own.</summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The options the declaration stands for.</summary>
    internal ScheduleOptions ToOptions() => new() { TimeZone = TimeZone, Overlap = Overlap, Misfire = Misfire, MisfireThreshold = MisfireThreshold };

    internal ScheduleDeclaration Clone() => (ScheduleDeclaration)MemberwiseClone();
}
