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
        Notify(_store.Hook, record.Result);
        Notify(record.Item.Completion, record.Result);
        Notify(record.Item.Options?.OnCompleted, record.Result);
    }

    private void Notify(Action<TaskResult>? callback, TaskResult result)
    {
        if (callback is null)
        {
            return;
        }

        try
        {
            callback(result);
        }
        catch (Exception ex)
        {
            _log.Error(ex, "Completion callback for task {0} threw", result.TaskId);
        }
    }
}
