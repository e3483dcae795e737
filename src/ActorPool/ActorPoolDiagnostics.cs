namespace ActorPool;

/// <summary>The names under which pools publish telemetry, for listeners and exporters to subscribe to.</summary>
public static class ActorPoolDiagnostics
{
    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> every pool publishes on (<c>dotnet-counters monitor --counters ActorPool</c>).</summary>
    public const string MeterName = "ActorPool";

    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> every pool traces its tasks on: one span per run, linked to the submitter's activity.</summary>
    public const string ActivitySourceName = "ActorPool";

    /// <summary>The logger category of the structured events hosted pools log.</summary>
    public const string LogCategory = "ActorPool";

    /// <summary>The tag that carries the pool's name on every measurement.</summary>
    public const string PoolTag = "actorpool.pool";

    /// <summary>The tag that carries a task's outcome on <c>actorpool.tasks.completed</c>.</summary>
    public const string OutcomeTag = "actorpool.outcome";
}
