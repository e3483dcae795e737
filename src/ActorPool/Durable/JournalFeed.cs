using ActorPool.Outcomes;
using ActorPool.Work;
using Akka.Actor;

namespace ActorPool.Durable;

/// <summary>
/// What a durable pool's workers and outcome recorder tell its journal: each run's start and each
/// outcome, in the form the journal keeps it, made on the thread that records it.
/// </summary>
internal sealed class JournalFeed
{
    /// <summary>The pool's result store, for run times on its clock; set before any task can start.</summary>
    public ResultStore? Store { get; set; }

    /// <summary>The pool's <see cref="WorkerPoolOptions.DeduplicationWindow"/>, for tasks without their own.</summary>
    public TimeSpan DefaultWindow { get; init; }

    /// <summary>The journal actor; set once it exists, before any task can start.</summary>
    public IActorRef Journal { get; set; } = ActorRefs.Nobody;

    public void Started(WorkItem item) => Journal.Tell(new DurableStarted(item.Id), ActorRefs.NoSender);

    public void Recorded(IRecordedOutcome item) => Journal.Tell(new DurableSettled(OutcomeOf(item)), ActorRefs.NoSender);

    /// <summary>A recorded outcome as the journal keeps it: a failure by its original type and message.</summary>
    private DurableOutcome OutcomeOf(IRecordedOutcome item)
    {
        var error = item.Error;
        var task = item as WorkItem;
        return new DurableOutcome(
            item.Id,
            item.Key,
            item.Outcome,
            error is RemoteTaskException remote ? remote.ExceptionType : error?.GetType().FullName,
            error?.Message,
            Store!.Duration(item).Ticks,
            Store.WallClock(item.StartTimestamp),
            item.Attempts,
            DedupKey: task?.DedupKey,
            DedupUntil: task?.KeyTakenUntil(DefaultWindow, Store.WallClock(item.EndTimestamp)),
            Handler: item.HandlerName,
            Payload: item.Outcome == TaskOutcome.Succeeded ? null : item.PayloadJson,
            RetryOf: item.RetryOf,
            QueueWaitSeconds: item.QueueWaitSeconds);
    }
}
