using System.Diagnostics.Metrics;
using ActorPool.Admission;
using ActorPool.Outcomes;

namespace ActorPool.Diagnostics;

/// <summary>
/// Publishes one pool's figures through <see cref="System.Diagnostics.Metrics"/> under the meter
/// <see cref="MeterName"/>, every measurement tagged with the pool's name.
/// </summary>
/// <remarks>
/// Names follow OpenTelemetry conventions (dotted, lower case, units in UCUM); a Prometheus
/// exporter turns <c>actorpool.tasks.dropped</c> into <c>actorpool_tasks_dropped_total</c>.
/// Each pool owns its <see cref="Meter"/> and disposes it when it stops, so stopped pools leave
/// no callbacks behind.
/// </remarks>
internal sealed class PoolMetrics : IDisposable
{
    /// <inheritdoc cref="ActorPoolDiagnostics.MeterName"/>
    public const string MeterName = ActorPoolDiagnostics.MeterName;

    /// <inheritdoc cref="ActorPoolDiagnostics.PoolTag"/>
    public const string PoolTag = ActorPoolDiagnostics.PoolTag;

    /// <inheritdoc cref="ActorPoolDiagnostics.OutcomeTag"/>
    public const string OutcomeTag = ActorPoolDiagnostics.OutcomeTag;

    /// <summary>The tag that carries a cluster node's address on <c>actorpool.workers</c>.</summary>
    public const string NodeTag = "actorpool.node";

    private static readonly TaskOutcome[] Outcomes = Enum.GetValues<TaskOutcome>();

    private readonly Meter _meter;
    private readonly Histogram<double> _duration;
    private readonly KeyValuePair<string, object?> _pool;

    public PoolMetrics(string poolName, PoolCounters counters, AdmissionGate gate, ResultStore results, KeyTable? keys)
        : this(poolName, new Sources(
            () => counters.Queued,
            () => [new(counters.Workers, null)],
            () => counters.ActiveWorkers,
            () => gate.Submitted,
            () => gate.Rejected,
            () => counters.Retried,
            results.Count,
            () => counters.WorkerRestarts,
            () => keys?.Joined ?? 0,
            () => counters.WaitingForKey,
            () => counters.Delayed))
    {
    }

    /// <summary>A clustered pool's figures: the whole cluster's, as the supervisor last reported them; workers per node.</summary>
    public PoolMetrics(string poolName, Func<PoolStats> stats)
        : this(poolName, new Sources(
            () => stats().Queued,
            () => [.. stats().WorkersByNode.Select(node => (node.Value, (string?)node.Key))],
            () => stats().ActiveWorkers,
            () => stats().Submitted,
            () => stats().Rejected,
            () => stats().Retried,
            outcome => Count(stats(), outcome),
            () => 0,
            () => stats().Deduplicated,
            () => stats().WaitingForKey,
            () => stats().Delayed))
    {
    }

    private PoolMetrics(string poolName, Sources sources)
    {
        _pool = new KeyValuePair<string, object?>(PoolTag, poolName);
        _meter = new Meter(MeterName, typeof(PoolMetrics).Assembly.GetName().Version?.ToString());
        _meter.CreateObservableGauge("actorpool.queue.depth", () => Measure(sources.Queued()), "{task}", "Accepted tasks waiting for a worker.");
        _meter.CreateObservableGauge("actorpool.workers", () => MeasureWorkers(sources.Workers()), "{worker}", "Live workers (on a cluster, by node).");
        _meter.CreateObservableGauge("actorpool.workers.active", () => Measure(sources.Active()), "{worker}", "Workers running a task.");
        _meter.CreateObservableCounter("actorpool.tasks.submitted", () => Measure(sources.Submitted()), "{task}", "Submit calls made with a task.");
        _meter.CreateObservableCounter("actorpool.tasks.rejected", () => Measure(sources.Rejected()), "{task}", "Submits that were not accepted.");
        _meter.CreateObservableCounter("actorpool.tasks.retried", () => Measure(sources.Retried()), "{task}", "Retries scheduled after a failure.");
        _meter.CreateObservableCounter("actorpool.tasks.completed", () => MeasureOutcomes(sources.Outcome), "{task}", "Tasks with a recorded outcome, by outcome.");
        _meter.CreateObservableCounter("actorpool.tasks.failed", () => Measure(sources.Outcome(TaskOutcome.Failed)), "{task}", "Tasks recorded Failed.");
        _meter.CreateObservableCounter("actorpool.tasks.dropped", () => Measure(sources.Outcome(TaskOutcome.Dropped)), "{task}", "Tasks dropped from a full queue.");
        _meter.CreateObservableCounter("actorpool.workers.restarts", () => Measure(sources.Restarts()), "{restart}", "Workers restarted after a fault.");
        _meter.CreateObservableCounter("actorpool.tasks.deduplicated", () => Measure(sources.Deduplicated()), "{task}", "Submits that joined an existing task by its key instead of making one.");
        _meter.CreateObservableGauge("actorpool.tasks.waiting_for_key", () => Measure(sources.WaitingForKey()), "{task}", "Waiting tasks whose concurrency key is at its limit.");
        _meter.CreateObservableGauge("actorpool.tasks.delayed", () => Measure(sources.Delayed()), "{task}", "Accepted tasks waiting for their NotBefore or Delay.");
        _duration = _meter.CreateHistogram<double>("actorpool.task.duration", "s", "How long tasks ran (their last try).");
    }

    /// <summary>Records a task's run time; outcomes that did not end a run are not measured.</summary>
    public void Record(IRecordedOutcome item, TimeSpan duration)
    {
        if (item.Ran && _duration.Enabled)
        {
            _duration.Record(duration.TotalSeconds, _pool);
        }
    }

    public void Dispose() => _meter.Dispose();

    private static string OutcomeName(TaskOutcome outcome) => outcome switch
    {
        TaskOutcome.Succeeded => "succeeded",
        TaskOutcome.Failed => "failed",
        TaskOutcome.Cancelled => "cancelled",
        TaskOutcome.TimedOut => "timed_out",
        _ => "dropped",
    };

    private static long Count(PoolStats stats, TaskOutcome outcome) => outcome switch
    {
        TaskOutcome.Succeeded => stats.Succeeded,
        TaskOutcome.Failed => stats.Failed,
        TaskOutcome.Cancelled => stats.Cancelled,
        TaskOutcome.TimedOut => stats.TimedOut,
        _ => stats.Dropped,
    };

    private Measurement<long> Measure(long value) => new(value, _pool);

    private IEnumerable<Measurement<long>> MeasureWorkers((int Workers, string? Node)[] workers)
    {
        foreach (var (count, node) in workers)
        {
            yield return node is null ? new Measurement<long>(count, _pool) : new Measurement<long>(count, _pool, new KeyValuePair<string, object?>(NodeTag, node));
        }
    }

    private IEnumerable<Measurement<long>> MeasureOutcomes(Func<TaskOutcome, long> count)
    {
        foreach (var outcome in Outcomes)
        {
            yield return new Measurement<long>(count(outcome), _pool, new KeyValuePair<string, object?>(OutcomeTag, OutcomeName(outcome)));
        }
    }

    /// <summary>Where each figure comes from.</summary>
    private sealed record Sources(
        Func<long> Queued,
        Func<(int Workers, string? Node)[]> Workers,
        Func<long> Active,
        Func<long> Submitted,
        Func<long> Rejected,
        Func<long> Retried,
        Func<TaskOutcome, long> Outcome,
        Func<long> Restarts,
        Func<long> Deduplicated,
        Func<long> WaitingForKey,
        Func<long> Delayed);
}
