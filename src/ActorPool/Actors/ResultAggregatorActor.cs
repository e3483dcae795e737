using ActorPool.Messages;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Actors;

/// <summary>
/// Records every outcome in the pool's <see cref="ResultStore"/> and notifies whoever waits for
/// it, off the supervisor's path so a slow callback never delays dispatch.
/// </summary>
internal sealed class ResultAggregatorActor : ReceiveActor
{
    private readonly ResultStore _store;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ResultAggregatorActor(ResultStore store)
    {
        _store = store;
        Receive<RecordOutcome>(HandleRecord);
        Receive<FlushOutcomes>(flush => flush.Completion.TrySetResult());
    }

    public static Props Props(ResultStore store) => Akka.Actor.Props.Create(() => new ResultAggregatorActor(store));

    private void HandleRecord(RecordOutcome record)
    {
        _store.Add(record.Result);
        if (record.Item.Completion is not { } completion)
        {
            return;
        }

        try
        {
            completion(record.Result);
        }
        catch (Exception ex)
        {
            _log.Error(ex, "Completion callback for task {0} threw", record.Result.TaskId);
        }
    }
}
