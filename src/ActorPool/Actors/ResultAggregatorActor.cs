using ActorPool.Messages;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Actors;

/// <summary>
/// Calls user callbacks (the pool's <see cref="WorkerPoolOptions.OnTaskCompleted"/>, then the
/// task's <see cref="TaskOptions.OnCompleted"/>) for each recorded outcome, in the order they were
/// recorded, off the workers and the supervisor, so a slow or throwing callback delays neither.
/// </summary>
internal sealed class ResultAggregatorActor : ReceiveActor
{
    private readonly Action<TaskResult>? _poolHook;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ResultAggregatorActor(Action<TaskResult>? poolHook)
    {
        _poolHook = poolHook;
        Receive<RecordOutcome>(HandleRecord);
        Receive<FlushOutcomes>(flush => flush.Completion.TrySetResult());
    }

    public static Props Props(Action<TaskResult>? poolHook) => Akka.Actor.Props.Create(() => new ResultAggregatorActor(poolHook));

    private void HandleRecord(RecordOutcome record)
    {
        Notify(_poolHook, record.Result);
        Notify(record.OnCompleted, record.Result);
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
