using ActorPool.Diagnostics;
using ActorPool.Messages;
using ActorPool.Work;
using Akka.Actor;

namespace ActorPool.Outcomes;

/// <summary>
/// The one writer of outcomes. Whoever settles a task (a worker at its end, a deadline timer, the
/// supervisor for tasks that never ran) calls <see cref="TrySettle"/>; the compare-and-swap on the
/// task lets exactly one of them through, which then stores the result, measures it, completes the
/// waiting caller and hands user callbacks to the result aggregator, in that order, so a caller that
/// wakes up finds its result in <c>GetResults</c>.
/// </summary>
internal sealed class OutcomeRecorder(ResultStore store, TimeProvider time, string poolName, bool hasPoolHook)
{
    public ResultStore Store { get; } = store;

    public TimeProvider Time { get; } = time;

    public string PoolName { get; } = poolName;

    /// <summary>Set once, before any task can settle.</summary>
    public PoolMetrics? Metrics { get; set; }

    /// <summary>Runs user callbacks off the workers; set once by the supervisor before any task runs.</summary>
    public IActorRef Aggregator { get; set; } = ActorRefs.Nobody;

    /// <summary>The pool's deduplication keys, told when a keyed task finishes; null where the pool keeps none here (a clustered pool's supervisor does).</summary>
    public Admission.KeyTable? Keys { get; init; }

    /// <summary>Told of every outcome once it is stored, before the caller hears it (a durable pool journals it); null for no one.</summary>
    public Action<IRecordedOutcome>? OnRecorded { get; init; }

    /// <summary>
    /// Whether a failure is recorded as a <see cref="RemoteTaskException"/> (the original kept as its
    /// inner exception), as a journal can give it back after a restart: a durable pool's failures
    /// then look the same live and recovered.
    /// </summary>
    public bool FailuresAsRemote { get; init; }

    /// <summary>
    /// Settles <paramref name="item"/> from state <paramref name="from"/>; false if someone else settled
    /// it first or it is no longer in that state.
    /// </summary>
    /// <param name="item">The task.</param>
    /// <param name="from">The state the settler found it in.</param>
    /// <param name="outcome">Its outcome.</param>
    /// <param name="error">The exception behind it, or null on success.</param>
    /// <param name="ran">Whether this outcome ends a run; false keeps no run time (never started, or settled while waiting).</param>
    /// <param name="tally">The settler's own tally (a worker's), or null for the shared one.</param>
    public bool TrySettle(WorkItem item, int from, TaskOutcome outcome, Exception? error, bool ran, OutcomeTally? tally = null)
    {
        if (!item.TryBeginSettle(from))
        {
            return false;
        }

        if (FailuresAsRemote && outcome == TaskOutcome.Failed && error is not null and not RemoteTaskException)
        {
            error = new RemoteTaskException(error.GetType().FullName ?? error.GetType().Name, error.Message, error);
        }

        // A retry given up at a stop keeps the times of the run that failed last.
        var keepLastRun = from == ItemState.RetryWaiting;
        item.Publish(outcome, error, keepLastRun ? item.EndTimestamp : Time.GetTimestamp(), ran || keepLastRun);
        Recorded(item, tally, releaseNow: from != ItemState.Running);
        return true;
    }

    /// <summary>
    /// Records an outcome that is no task of this process (a resumed task whose handler is gone):
    /// stored, counted, measured and handed to the pool's callback like any other outcome.
    /// </summary>
    public void Record(IRecordedOutcome settled)
    {
        Store.Add(settled, tally: null);
        Metrics?.Record(settled, Store.Duration(settled));
        OnRecorded?.Invoke(settled);
        if (hasPoolHook)
        {
            Aggregator.Tell(new RecordOutcome(Store.ToResult(settled), null), ActorRefs.NoSender);
        }
    }

    /// <param name="item">The settled task.</param>
    /// <param name="tally">The settler's tally, or null.</param>
    /// <param name="releaseNow">
    /// False for a task settled while running: a deadline or a stop may settle it before its worker
    /// has called the delegate, so the worker lets go of it once the run returns.
    /// </param>
    private void Recorded(WorkItem item, OutcomeTally? tally, bool releaseNow)
    {
        Store.Add(item, tally);
        item.Recorded();
        Metrics?.Record(item, Store.Duration(item));
        if (item.Trace is not null)
        {
            PoolTracing.End(item, Store.Duration(item), Store.WallClock(item.EndTimestamp));
        }

        OnRecorded?.Invoke(item);
        item.CompleteCaller();
        if (item.DedupKey is not null)
        {
            Keys?.Finished(item);
        }

        var onCompleted = item.Options?.OnCompleted;
        if (hasPoolHook || onCompleted is not null)
        {
            Aggregator.Tell(new RecordOutcome(Store.ToResult(item), onCompleted), ActorRefs.NoSender);
        }

        if (releaseNow)
        {
            item.Release();
        }
    }
}
