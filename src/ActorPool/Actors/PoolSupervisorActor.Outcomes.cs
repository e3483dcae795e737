using ActorPool.Actors.Supervision;
using ActorPool.Messages;
using ActorPool.Work;
using Akka.Actor;
using Akka.Event;
using Akka.Routing;

namespace ActorPool.Actors;

// The supervisor's bookkeeping: what workers report, retries, queue timeouts, counting every outcome once.
internal sealed partial class PoolSupervisorActor
{
    private void HandleBatchDone(BatchDone done)
    {
        if (!_roster.TryGet(Sender, out var slot))
        {
            return;
        }

        _sizer.Observe(done.Runs, done.RunTicks);
        Review(_roster.Release(slot), slot.Number, cause: null);
        FreeWorker(slot);
        Dispatch();
        TryFinishStop();
    }

    /// <summary>
    /// Looks at the tasks a worker held once it reported (or was lost): counts the settled ones,
    /// schedules the ones that want another try, and, when <paramref name="cause"/> says the worker
    /// was lost, settles the task it ran and puts back the ones it never started.
    /// </summary>
    private void Review(WorkItem[]? batch, int worker, Exception? cause)
    {
        if (batch is null)
        {
            return;
        }

        foreach (var item in batch)
        {
            switch (item.State)
            {
                case ItemState.Settled or ItemState.Settling:
                    ReleaseKey(item);
                    CountSettled(item);
                    break;
                case ItemState.Retrying:
                    ReleaseKey(item);
                    ScheduleRetry(item);
                    break;
                case ItemState.Running when cause is not null && item.RunBy == worker:
                    ReleaseKey(item);
                    SettleHere(item, ItemState.Running, TaskOutcome.Failed, cause, ran: true);
                    break;
                case ItemState.Queued when item.Holder == worker:
                    ReleaseKey(item);
                    _queue.EnqueueFront(item);
                    break;
            }
        }
    }

    private void HandleWorkerReady()
    {
        var slot = _roster.Join(Sender, out var isNew);
        if (isNew)
        {
            Context.Watch(Sender);
        }

        if (_workerContext.ReadyTimestamp == 0)
        {
            _workerContext.ReadyTimestamp = _options.TimeProvider.GetTimestamp();
            foreach (var item in _waitingForReady)
            {
                _expiry.Add(item, _workerContext.QueueTimeoutOf(item.Options)!.Value, _workerContext.ReadyTimestamp);
            }

            _waitingForReady.Clear();
            ScheduleExpiry();
        }

        FreeWorker(slot);
        Dispatch();
        TryFinishStop();
    }

    private void HandleWorkerRestarted(WorkerRestarted restarted)
    {
        _runtime.Counters.CountRestart();
        _log.Warning("Worker {0} restarted after {1}: {2}", Sender.Path.Name, restarted.Cause.GetType().Name, restarted.Cause.Message);
        var slot = _roster.Join(Sender, out _);
        Review(_roster.Release(slot), slot.Number, restarted.Cause);
        FreeWorker(slot);
        Dispatch();
        TryFinishStop();
    }

    private void HandleTerminated(Terminated terminated)
    {
        var number = _roster.TryGet(terminated.ActorRef, out var slot) ? slot.Number : WorkItem.HolderNone;
        Review(_roster.Leave(terminated.ActorRef, out _), number, new InvalidOperationException("The worker running the task stopped."));
        Dispatch();
        TryFinishStop();
    }

    private void ReleaseWorker(IActorRef worker)
    {
        if (_roster.TryGet(worker, out var slot))
        {
            _roster.Release(slot);
        }
    }

    /// <summary>A worker has nothing to do: idle, or out of the router if a shrink wants it gone.</summary>
    private void FreeWorker(WorkerSlot slot)
    {
        if (_roster.Free(slot))
        {
            _router.Tell(new RemoveRoutee(Routee.FromActorRef(slot.Ref)));
        }
    }

    private void ScheduleRetry(WorkItem item)
    {
        if (!item.TryMove(ItemState.Retrying, ItemState.RetryWaiting))
        {
            return;
        }

        ReportToBreaker(TaskOutcome.Failed, item);
        if (CancelledBeforeRetry(item))
        {
            SettleHere(item, ItemState.RetryWaiting, TaskOutcome.Cancelled, CancelledError(item.Id), ran: true);
            return;
        }

        if (_stop.Requested || _stop.Cancelling || item.CallerToken.IsCancellationRequested)
        {
            SettleHere(item, ItemState.RetryWaiting, TaskOutcome.Failed, item.Error, ran: true);
            return;
        }

        _runtime.Counters.CountRetried();
        var delay = _retries.Add(item);
        _log.Debug("Task {0} failed on attempt {1}; retrying in {2}", item.Id, item.Attempts, delay);
    }

    private void HandleRetryDue(RetryDue due)
    {
        if (!_retries.TryTake(due.TaskId, out var item))
        {
            return;
        }

        if (_stop.Requested || _stop.Cancelling || item.CallerToken.IsCancellationRequested || !item.TryMove(ItemState.RetryWaiting, ItemState.Queued))
        {
            SettleHere(item, ItemState.RetryWaiting, TaskOutcome.Failed, item.Error, ran: true);
        }
        else
        {
            _queue.Enqueue(item);
            Dispatch();
        }

        TryFinishStop();
    }

    private void HandleExpiry()
    {
        _expiry.TakeExpired(_expired);
        foreach (var item in _expired)
        {
            if (item.Attempts == 0 && item.State == ItemState.Queued)
            {
                var timeout = _workerContext.QueueTimeoutOf(item.Options);
                Dequeue(item);
                SettleHere(item, ItemState.Queued, TaskOutcome.TimedOut, new TimeoutException($"The task waited longer than its queue timeout of {timeout} and was never started."));
            }
        }

        _expired.Clear();
        ScheduleExpiry();
        TryFinishStop();
    }

    private void ScheduleExpiry()
    {
        if (_expiry.NextDue() is { } due)
        {
            Timers.StartSingleTimer(ExpiryTimer, ExpiryTick.Instance, due);
        }
    }

    /// <summary>Settles a task that never reaches (or no longer belongs to) a worker, and counts it.</summary>
    private void SettleHere(WorkItem item, int from, TaskOutcome outcome, Exception? error, bool ran = false)
    {
        if (_runtime.Recorder.TrySettle(item, from, outcome, error, ran))
        {
            CountSettled(item);
        }
    }

    /// <summary>Counts a settlement once, and lets the breaker see the outcome of a run.</summary>
    private void CountSettled(WorkItem item)
    {
        if (item.AwaitSettled() && _ledger.Count(item, _released) && item.Ran)
        {
            ReportToBreaker(item.Outcome, item);
        }
    }

    private void ReportToBreaker(TaskOutcome outcome, WorkItem item)
    {
        if (_breaker is null || item.Error is CircuitOpenException)
        {
            return;
        }

        switch (_breaker.Observe(outcome))
        {
            case BreakerChange.Closed:
                _log.Info("Circuit breaker closed: trial task {0} succeeded", item.Id);
                break;
            case BreakerChange.Opened:
                _runtime.Counters.CountTrip();
                _log.Warning("Circuit breaker opened by task {0} ({1}); tasks fail fast for {2}", item.Id, outcome, _options.CircuitBreaker!.ResetTimeout);
                break;
        }
    }

    /// <summary>Starts waiting for a start token, unless a wait is under way; the token comes back as a message.</summary>
    private void RequestStartToken() =>
        _startRate!.WaitForToken()?.PipeTo(Self, success: acquired => new RateTokenReady(acquired), failure: _ => new RateTokenReady(false));

    private void HandleRateTokenReady(RateTokenReady ready)
    {
        _startRate?.TokenArrived(ready.Acquired);
        Dispatch();
    }

    private void HandleAwaitOutcomes(AwaitOutcomes wait)
    {
        TakeIn();
        if (!_ledger.AddWaiter(wait.LastId, wait.Completion))
        {
            _released.Add(wait.Completion);
        }
    }

    private void HandleGetState(GetPoolState get) =>
        get.Reply.TrySetResult(new PoolState(_roster.Live, _roster.Busy, WaitingCount, _ledger.Accepted, _ledger.Settled, (int)_runtime.Counters.WorkerRestarts, _router));
}
