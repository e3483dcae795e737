using ActorPool.Diagnostics;
using ActorPool.Messages;
using ActorPool.Work;

namespace ActorPool.Actors;

/// <summary>What an operator asks of one task: cancel it by id, or list what waits and runs. Rare and never on the hot path, so it searches rather than indexes.</summary>
internal sealed partial class PoolSupervisorActor
{
    /// <summary>Tasks cancelled by id after their run failed and before their retry was scheduled: they are not tried again.</summary>
    private readonly HashSet<long> _cancelledBeforeRetry = [];

    private void HandleCancelTask(CancelTask cancel)
    {
        TakeIn();
        cancel.Reply.TrySetResult(CancelById(cancel.Id));
        Dispatch();
        TryFinishStop();
    }

    private bool CancelById(long id)
    {
        if (_retries.TryTake(id, out var retrying))
        {
            SettleHere(retrying, ItemState.RetryWaiting, TaskOutcome.Cancelled, CancelledError(id), ran: true);
            return true;
        }

        if (_delayed.TryTake(id, out var delayed))
        {
            SettleHere(delayed, ItemState.Queued, TaskOutcome.Cancelled, CancelledError(id));
            return true;
        }

        var waiting = _queue.Waiting().Concat(_keyLimits?.Aside() ?? []).FirstOrDefault(item => item.Id == id);
        if (waiting is not null)
        {
            Dequeue(waiting);
            SettleHere(waiting, ItemState.Queued, TaskOutcome.Cancelled, CancelledError(id));
            return true;
        }

        foreach (var slot in _roster.All)
        {
            foreach (var item in slot.Batch ?? [])
            {
                if (item.Id != id)
                {
                    continue;
                }

                switch (item.State)
                {
                    case ItemState.Queued:
                        // Handed out, not claimed yet: the worker skips a settled task.
                        SettleHere(item, ItemState.Queued, TaskOutcome.Cancelled, CancelledError(id));
                        return true;
                    case ItemState.Running:
                        slot.Ref.Tell(new CancelRun(item), Self);
                        return true;
                    case ItemState.Retrying:
                        _cancelledBeforeRetry.Add(id);
                        return true;
                    default:
                        return false;
                }
            }
        }

        return false;
    }

    /// <summary>Whether a failed task was cancelled by id before its retry could be scheduled; forgets it.</summary>
    private bool CancelledBeforeRetry(WorkItem item) => _cancelledBeforeRetry.Count > 0 && _cancelledBeforeRetry.Remove(item.Id);

    private static OperationCanceledException CancelledError(long id) => new($"Task {id} was cancelled by CancelAsync.");

    private void HandleListPending(ListPending list)
    {
        TakeIn();
        var pending = new List<PendingTask>(Math.Min(list.Max, 1024));
        foreach (var slot in _roster.All)
        {
            foreach (var item in slot.Batch ?? [])
            {
                if (pending.Count < list.Max && item.State == ItemState.Running)
                {
                    pending.Add(Pending(item, running: true));
                }
            }
        }

        var waiting = _roster.All.SelectMany(static slot => slot.Batch ?? []).Where(static item => item.State == ItemState.Queued)
            .Concat(_queue.Waiting()).Concat(_keyLimits?.Aside() ?? []).Concat(_retries.Waiting).Concat(_delayed.Waiting);
        foreach (var item in waiting)
        {
            if (pending.Count >= list.Max)
            {
                break;
            }

            pending.Add(Pending(item, running: false));
        }

        list.Reply.TrySetResult(pending);
    }

    private static PendingTask Pending(WorkItem item, bool running) =>
        new(item.Id, running, item.HandlerName, item.Key, item.Attempts, item.Node);
}
