using ActorPool.Messages;
using ActorPool.Work;
using Akka.Actor;
using Akka.Event;
using Akka.Routing;

namespace ActorPool.Actors;

// The supervisor's lifecycle handlers: cancellation, stop, deadline, resize.
internal sealed partial class PoolSupervisorActor
{
    private void BeginStop(StopPool stop)
    {
        _stop.Request(stop.Completion);
        Timers.Cancel(ResizeTimer);
        AbandonRetries();
        AbandonDelayed();
        if (OptionLimits.Limit(_options.ShutdownTimeout) is { } timeout)
        {
            Timers.StartSingleTimer(DeadlineTimer, ShutdownDeadline.Instance, timeout);
        }

        Become(Stopping);
        Dispatch();
        TryFinishStop();
    }

    /// <summary>From now on nothing queued starts: every waiting task is cancelled with <paramref name="reason"/>.</summary>
    private void Cancel(string reason)
    {
        _stop.Cancel(reason);

        // One exception for the whole pass: it is never thrown, only recorded, and a stop may cancel tens of thousands.
        var cancelled = new OperationCanceledException(reason);
        foreach (var item in _queue.DrainOldestFirst().Concat(_keyLimits?.DrainAside() ?? []))
        {
            _runtime.Gate.ReleaseSlot(item);
            SettleHere(item, ItemState.Queued, TaskOutcome.Cancelled, cancelled);
        }

        // Tasks waiting in a worker's batch behind a running one are cancelled too.
        foreach (var slot in _roster.All)
        {
            foreach (var item in slot.Batch ?? [])
            {
                SettleHere(item, ItemState.Queued, TaskOutcome.Cancelled, cancelled);
            }
        }

        _expiry.Clear();
        AbandonRetries();
        AbandonDelayed();
    }

    private void HandleCancel()
    {
        if (_stop.Cancelling)
        {
            return;
        }

        _log.Info("Start token cancelled: {0} queued tasks cancelled, {1} busy workers signalled", WaitingCount, _roster.Busy);
        Cancel("The pool's start token was cancelled before the task started.");
        TryFinishStop();
    }

    private void HandleForceStop()
    {
        if (_stop.Finished)
        {
            return;
        }

        AbandonRunning(TaskOutcome.Cancelled, static () => new OperationCanceledException("The pool was stopped before the task finished."));
        Cancellations.Cancel(_runtime.PoolCancellation);
        Cancel("The pool was stopped without waiting for queued tasks.");
        TryFinishStop();
    }

    private void HandleShutdownDeadline()
    {
        var timeout = _options.ShutdownTimeout;
        _log.Warning("Shutdown timeout of {0} reached: {1} busy workers' tasks recorded as timed out, {2} queued tasks cancelled", timeout, _roster.Busy, WaitingCount);
        // Record first, cancel after: a task that honours its token would otherwise end Cancelled
        // before it is recorded TimedOut.
        AbandonRunning(TaskOutcome.TimedOut, () => new TimeoutException($"The task was still running when the pool's shutdown timeout of {timeout} passed."));
        Cancellations.Cancel(_runtime.PoolCancellation);
        Cancel($"The pool's shutdown timeout of {timeout} passed before the task started.");
        TryFinishStop();
    }

    /// <summary>
    /// The supervisor stops before its stop finished (its actor system terminated first): nothing
    /// will run here any more, so every task without an outcome is recorded Cancelled and every
    /// waiter released, instead of being left to wait for ever.
    /// </summary>
    private void AbandonAll()
    {
        if (_stop.Finished)
        {
            return;
        }

        const string reason = "The pool's actor system shut down before the task finished.";
        _runtime.Gate.Close();
        _stop.Cancel(reason);
        TakeIn(); // admitted, not taken in yet: recorded Cancelled there
        AbandonRunning(TaskOutcome.Cancelled, static () => new OperationCanceledException(reason));
        Cancellations.Cancel(_runtime.PoolCancellation);
        Cancel(reason);
        _released.AddRange(_stop.Finish());
        _ledger.ReleaseAll(_released);
        foreach (var waiter in _released)
        {
            waiter.TrySetResult(); // the aggregator is going too: released here
        }

        _released.Clear();
    }

    /// <summary>Retries stop with the pool: each waiting retry is recorded with its last failure.</summary>
    private void AbandonRetries()
    {
        foreach (var item in _retries.TakeAll())
        {
            SettleHere(item, ItemState.RetryWaiting, TaskOutcome.Failed, item.Error, ran: true);
        }
    }

    /// <summary>Records what workers still run with <paramref name="outcome"/>; their workers stay busy until the tasks return.</summary>
    private void AbandonRunning(TaskOutcome outcome, Func<Exception> error)
    {
        foreach (var slot in _roster.All)
        {
            foreach (var item in slot.Batch ?? [])
            {
                if (item.State == ItemState.Running)
                {
                    SettleHere(item, ItemState.Running, outcome, error(), ran: true);
                }
            }
        }
    }

    private void TryFinishStop()
    {
        if (!_stop.CanFinish(_ledger.Outstanding, WaitingCount, _retries.Count))
        {
            return;
        }

        _released.AddRange(_stop.Finish());
        _ledger.ReleaseAll(_released);
        Timers.CancelAll();
        _delayed.StopTimer();
        _log.Debug("Pool {0} drained: {1} tasks accepted, {2} outcomes recorded", _runtime.Name, _ledger.Accepted, _ledger.Settled);
        Become(Stopped);
    }

    private void Resize(int workers)
    {
        if (_stop.Requested || workers == _roster.Target)
        {
            return;
        }

        _log.Info("Resizing from {0} to {1} workers", _roster.Target, workers);
        var retire = new List<Supervision.WorkerSlot>();
        var grow = _roster.Resize(workers, retire);
        if (grow > 0)
        {
            _router.Tell(new AdjustPoolSize(grow));
        }

        foreach (var slot in retire)
        {
            _router.Tell(new RemoveRoutee(Routee.FromActorRef(slot.Ref)));
        }

        Dispatch();
    }

    private void HandleResizeTick()
    {
        if (_resizer?.Look(_roster.Target, _queue.Count, _roster.IdleCount) is { } next)
        {
            Resize(next);
        }
    }
}
