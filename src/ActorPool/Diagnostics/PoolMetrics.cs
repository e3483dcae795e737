using System.Diagnostics.Metrics;
using ActorPool.Admission;
using ActorPool.Outcomes;
using ActorPool.Work;

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

    private static readonly TaskOutcome[] Outcomes = Enum.GetValues<TaskOutcome>();

    private readonly Meter _meter;
    private readonly Histogram<double> _duration;
    private readonly KeyValuePair<string, object?> _pool;

    public PoolMetrics(string poolName, PoolCounters counters, AdmissionGate gate, ResultStore results)
    {
        _pool = new KeyValuePair<string, object?>(PoolTag, poolName);
        _meter = new Meter(MeterName, typeof(PoolMetrics).Assembly.GetName().Version?.ToString());
        _meter.CreateObservableGauge("actorpool.queue.depth", () => Measure(counters.Queued), "{task}", "Accepted tasks waiting for a worker.");
        _meter.CreateObservableGauge("actorpool.workers", () => Measure(counters.Workers), "{worker}", "Live workers.");
        _meter.CreateObservableGauge("actorpool.workers.active", () => Measure(counters.ActiveWorkers), "{worker}", "Workers running a task.");
        _meter.CreateObservableCounter("actorpool.tasks.submitted", () => Measure(gate.Submitted), "{task}", "Submit calls made with a task.");
        _meter.CreateObservableCounter("actorpool.tasks.rejected", () => Measure(gate.Rejected), "{task}", "Submits that were not accepted.");
        _meter.CreateObservableCounter("actorpool.tasks.retried", () => Measure(counters.Retried), "{task}", "Retries scheduled after a failure.");
        _meter.CreateObservableCounter("actorpool.tasks.completed", () => MeasureOutcomes(results), "{task}", "Tasks with a recorded outcome, by outcome.");
        _meter.CreateObservableCounter("actorpool.tasks.failed", () => Measure(results.Count(TaskOutcome.Failed)), "{task}", "Tasks recorded Failed.");
        _meter.CreateObservableCounter("actorpool.tasks.dropped", () => Measure(results.Count(TaskOutcome.Dropped)), "{task}", "Tasks dropped from a full queue.");
        _meter.CreateObservableCounter("actorpool.workers.restarts", () => Measure(counters.WorkerRestarts), "{restart}", "Workers restarted after a fault.");
        _duration = _meter.CreateHistogram<double>("actorpool.task.duration", "s", "How long tasks ran (their last try).");
    }

    /// <summary>Records a task's run time; outcomes that did not end a run are not measured.</summary>
    public void Record(WorkItem item, TimeSpan duration)
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

    private Measurement<long> Measure(long value) => new(value, _pool);

    private IEnumerable<Measurement<long>> MeasureOutcomes(ResultStore results)
    {
        foreach (var outcome in Outcomes)
        {
            yield return new Measurement<long>(results.Count(outcome), _pool, new KeyValuePair<string, object?>(OutcomeTag, OutcomeName(outcome)));
        }
    }
}
