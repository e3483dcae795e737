using System.Threading.RateLimiting;
using ActorPool.Actors.Supervision;
using ActorPool.Messages;
using ActorPool.Work;
using Akka.Actor;
using Akka.Event;
using Akka.Routing;

namespace ActorPool.Actors;

// The supervisor's handlers: taking tasks in, handing them out, counting outcomes, stopping.
internal sealed partial class PoolSupervisorActor
{
    /// <summary>Takes in every task the admission gate has posted.</summary>
    private void TakeIn()
    {
        var inbox = _runtime.Inbox;
        inbox.Rearm();
        var expiring = false;
        while (inbox.TryTake(out var item))
        {
            if (!item.TryMove(ItemState.Inbox, ItemState.Queued))
            {
                continue; // withdrawn by its submitter: the pool closed first
            }

            _ledger.Accept(item);
            if (_stop.CancelReason is { } reason)
            {
                // Admitted just before the pool closed: it may not start any more.
                _runtime.Gate.ReleaseSlot(item);
                SettleHere(item, ItemState.Queued, TaskOutcome.Cancelled, new OperationCanceledException(reason));
                continue;
            }

            if (_workerContext.QueueTimeoutOf(item.Options) is { } queueTimeout)
            {
                _expiry.Add(item, queueTimeout);
                expiring = true;
            }

            _queue.Enqueue(item);
            if (_options.Overflow == OverflowPolicy.DropOldest && _options.QueueSize > 0
                && _queue.Count > _options.QueueSize && _queue.TryDequeueOldest(out var oldest))
            {
                SettleHere(oldest, ItemState.Queued, TaskOutcome.Dropped, new SubmitRejectedException(
                    RejectionReason.QueueFull,
                    $"The task was dropped: the queue held {_options.QueueSize} tasks and a newer one arrived (OverflowPolicy.DropOldest)."));
            }
        }

        if (expiring)
        {
            ScheduleExpiry();
        }
    }

    /// <summary>After the stop: posts racing the close are left to their submitters, who withdraw them.</summary>
    private void DiscardInbox()
    {
        _runtime.Inbox.Rearm();
        while (_runtime.Inbox.TryTake(out _))
        {
        }
    }

    /// <summary>Hands queued tasks to idle workers until either runs out or the rate limit says wait; then lets idle workers take waiting tasks from busy ones.</summary>
    private void Dispatch()
    {
        if (!_started)
        {
            return;
        }

        if (_runtime.PoolCancellation.IsCancellationRequested && !_stop.Cancelling)
        {
            // The start token fired and its CancelPool message is still on its way.
            HandleCancel();
            return;
        }

        if (_stop.Cancelling)
        {
            return;
        }

        var perStart = _decidePerStart || _stop.Requested;
        var limited = false;
        while (!limited && _queue.Count > 0 && _roster.TryTakeIdle(out var slot))
        {
            var batch = new WorkItem[Math.Min(_sizer.Next(_queue.Count, _roster.IdleCount, perStart), _queue.Count)];
            var count = 0;
            while (count < batch.Length && _queue.TryPeek(out var next))
            {
                if (!MayStart(next, out limited))
                {
                    if (limited)
                    {
                        break;
                    }

                    continue;
                }

                _queue.TryDequeue(out _);
                _runtime.Gate.ReleaseSlot(next);
                batch[count++] = next;
            }

            if (count == 0)
            {
                FreeWorker(slot);
                continue;
            }

            if (count < batch.Length)
            {
                Array.Resize(ref batch, count);
            }

            Assign(slot, batch);
        }

        Steal();
    }

    /// <summary>Whether the next queued task may start now; settles it when it never will.</summary>
    private bool MayStart(WorkItem next, out bool limited)
    {
        limited = false;
        if (next.CallerToken.IsCancellationRequested)
        {
            Dequeue(next);
            SettleHere(next, ItemState.Queued, TaskOutcome.Cancelled, new OperationCanceledException(next.CallerToken));
            return false;
        }

        if (_breaker is not null && _breaker.IsRejecting())
        {
            Dequeue(next);
            SettleHere(next, ItemState.Queued, TaskOutcome.Failed, new CircuitOpenException());
            return false;
        }

        if (_limiter is not null && !TryTakeStartToken())
        {
            RequestStartToken();
            limited = true;
            return false;
        }

        if (_breaker is not null && _breaker.AllowStart(out var trial) && trial)
        {
            _log.Info("Circuit breaker half-open: task {0} runs as the trial", next.Id);
        }

        return true;
    }

    private void Dequeue(WorkItem item)
    {
        _queue.Remove(item);
        _runtime.Gate.ReleaseSlot(item);
    }

    private void Assign(WorkerSlot slot, WorkItem[] batch)
    {
        _roster.Assign(slot, batch);
        slot.Ref.Tell(new RunBatch(batch, slot.Number));
    }

    /// <summary>Idle workers take the later half of tasks waiting behind a running one in another worker's batch.</summary>
    private void Steal()
    {
        while (_queue.Count == 0 && _roster.IdleCount > 0 && _roster.FindStealable() is { } stolen)
        {
            if (!_roster.TryTakeIdle(out var slot))
            {
                break;
            }

            Assign(slot, stolen);
        }

        var wanted = _roster.IdleCount > 0 && _roster.AnyBatched;
        if (wanted != _stealTimerOn)
        {
            _stealTimerOn = wanted;
            if (wanted)
            {
                Timers.StartPeriodicTimer(StealTimer, StealTick.Instance, StealInterval);
            }
            else
            {
                Timers.Cancel(StealTimer);
            }
        }
    }

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
                    CountSettled(item);
                    break;
                case ItemState.Retrying:
                    ScheduleRetry(item);
                    break;
                case ItemState.Running when cause is not null && item.RunBy == worker:
                    SettleHere(item, ItemState.Running, TaskOutcome.Failed, cause, ran: true);
                    break;
                case ItemState.Queued when item.Holder == worker:
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
        if (_stop.Requested || _stop.Cancelling || item.CallerToken.IsCancellationRequested)
        {
            SettleHere(item, ItemState.RetryWaiting, TaskOutcome.Failed, item.Error, ran: true);
            return;
        }

        _runtime.Counters.CountRetried();
        var delay = _retries.Add(item);
        Timers.StartSingleTimer(new RetryDue(item.Id), new RetryDue(item.Id), delay);
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

        switch (outcome)
        {
            case TaskOutcome.Succeeded when _breaker.OnSuccess():
                _log.Info("Circuit breaker closed: trial task {0} succeeded", item.Id);
                break;
            case TaskOutcome.Failed or TaskOutcome.TimedOut when _breaker.OnFailure():
                _runtime.Counters.CountTrip();
                _log.Warning("Circuit breaker opened by task {0} ({1}); tasks fail fast for {2}", item.Id, outcome, _options.CircuitBreaker!.ResetTimeout);
                break;
            case TaskOutcome.Cancelled or TaskOutcome.Dropped:
                _breaker.OnNeutral();
                break;
        }
    }

    private bool TryTakeStartToken()
    {
        if (_holdsStartToken)
        {
            _holdsStartToken = false;
            return true;
        }

        using var lease = _limiter!.AttemptAcquire();
        return lease.IsAcquired;
    }

    private void RequestStartToken()
    {
        if (_awaitingStartToken)
        {
            return;
        }

        _awaitingStartToken = true;
        WaitForTokenAsync(_limiter!).PipeTo(Self, failure: _ => new RateTokenReady(false));

        static async Task<RateTokenReady> WaitForTokenAsync(RateLimiter limiter)
        {
            using var lease = await limiter.AcquireAsync().ConfigureAwait(false);
            return new RateTokenReady(lease.IsAcquired);
        }
    }

    private void HandleRateTokenReady(RateTokenReady ready)
    {
        _awaitingStartToken = false;
        _holdsStartToken |= ready.Acquired;
        Dispatch();
    }

    private static TokenBucketRateLimiter CreateLimiter(double tasksPerSecond, int burst)
    {
        // Refill about twenty times a second in whole tokens: finer periods only add timer wake-ups.
        var perPeriod = Math.Max(1, (int)Math.Ceiling(tasksPerSecond / 20));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            // One refill's worth beyond the burst, so a refill that comes late under load is not lost.
            TokenLimit = burst + perPeriod,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(perPeriod / tasksPerSecond),
            QueueLimit = 1,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    private void HandleAwaitOutcomes(AwaitOutcomes wait)
    {
        TakeIn();
        if (!_ledger.AddWaiter(wait.Completion))
        {
            _released.Add(wait.Completion);
        }
    }

    private void HandleGetState(GetPoolState get) =>
        get.Reply.TrySetResult(new PoolState(_roster.Live, _roster.Busy, _queue.Count, _ledger.Accepted, _ledger.Settled, (int)_runtime.Counters.WorkerRestarts, _router));
}
