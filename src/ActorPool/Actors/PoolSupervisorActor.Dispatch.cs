using ActorPool.Actors.Supervision;
using ActorPool.Messages;
using ActorPool.Work;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Actors;

// The supervisor's dispatch: taking tasks in from the admission gate and handing them to workers.
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
            if (!item.TryTakeIntoQueue())
            {
                _ledger.Withdrawn(item.Id, _released); // its submitter took it back: the pool closed first
                continue;
            }

            _ledger.Accept(item);
            if (_stop.CancelReason is { } reason)
            {
                // Admitted just before the pool closed: it may not start any more.
                _runtime.Gate.ReleaseSlot(item);
                SettleHere(item, ItemState.Queued, TaskOutcome.Cancelled, new OperationCanceledException(reason));
                continue;
            }

            if (item.Options is { } options && _delayed.IsFuture(options.DueFrom(AcceptedAt(item)), out var due))
            {
                _runtime.Gate.ReleaseSlot(item);
                if (_stop.Requested || _delaysStopped)
                {
                    SettleHere(item, ItemState.Queued, TaskOutcome.Cancelled, StoppedBeforeItsTime(due));
                }
                else
                {
                    _delayed.Add(item, due);
                }

                continue;
            }

            expiring |= Enqueue(item);
        }

        if (expiring)
        {
            ScheduleExpiry();
        }
    }

    /// <summary>Puts a task taken in (or one whose time has come) in the queue; true when it has a queue deadline to watch.</summary>
    private bool Enqueue(WorkItem item)
    {
        var expiring = false;
        if (_workerContext.QueueTimeoutOf(item.Options) is { } queueTimeout)
        {
            if (_workerContext.ReadyTimestamp == 0)
            {
                _waitingForReady.Add(item); // its queue wait counts once a worker is there
            }
            else
            {
                _expiry.Add(item, queueTimeout, _workerContext.QueueWaitSince(item.StartTimestamp));
                expiring = true;
            }
        }

        _queue.Enqueue(item);
        if (_options.Overflow == OverflowPolicy.DropOldest && _options.QueueSize > 0
            && _queue.Count > _options.QueueSize && _queue.TryDequeueOldest(out var oldest))
        {
            SettleHere(oldest, ItemState.Queued, TaskOutcome.Dropped, new SubmitRejectedException(
                RejectionReason.QueueFull,
                $"The task was dropped: the queue held {_options.QueueSize} tasks and a newer one arrived (OverflowPolicy.DropOldest)."));
        }

        return expiring;
    }

    /// <summary>Delayed tasks whose time has come join the queue; a caller that gave up meanwhile gets its task cancelled.</summary>
    private void HandleDelaysDue()
    {
        _delayed.TakeDue(_due);
        var expiring = false;
        var now = _options.TimeProvider.GetTimestamp();
        foreach (var item in _due)
        {
            if (item.CallerToken.IsCancellationRequested)
            {
                SettleHere(item, ItemState.Queued, TaskOutcome.Cancelled, new OperationCanceledException(item.CallerToken));
                continue;
            }

            item.StartTimestamp = now; // its queue wait counts from its time, not its submit
            expiring |= Enqueue(item);
        }

        _due.Clear();
        if (expiring)
        {
            ScheduleExpiry();
        }

        Dispatch();
        TryFinishStop();
    }

    /// <summary>A stop does not wait for delayed tasks: each is recorded Cancelled (a durable pool keeps it in its journal, to run after the restart).</summary>
    private void AbandonDelayed()
    {
        foreach (var (item, due) in _delayed.TakeAll())
        {
            SettleHere(item, ItemState.Queued, TaskOutcome.Cancelled, StoppedBeforeItsTime(due));
        }
    }

    /// <summary>When the task was accepted, on the pool's wall clock.</summary>
    private DateTimeOffset AcceptedAt(WorkItem item) =>
        _options.TimeProvider.GetUtcNow() - _options.TimeProvider.GetElapsedTime(item.StartTimestamp);

    private static OperationCanceledException StoppedBeforeItsTime(DateTimeOffset due) =>
        new($"The pool stopped before the task's time ({due:O}, from TaskOptions.NotBefore or Delay).");

    /// <summary>After the stop: posts racing the close are left to their submitters, who withdraw them.</summary>
    /// <summary>
    /// Stopped: what still arrives (a durable pool's journal may finish writing a task after the
    /// stop) is recorded Cancelled, never dropped unheard.
    /// </summary>
    private void DiscardInbox()
    {
        _runtime.Inbox.Rearm();
        while (_runtime.Inbox.TryTake(out var item))
        {
            if (item.TryTakeIntoQueue())
            {
                _runtime.Gate.ReleaseSlot(item);
                _runtime.Recorder.TrySettle(item, ItemState.Queued, TaskOutcome.Cancelled, new OperationCanceledException("The pool had stopped before the task reached its queue."), ran: false);
            }
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
                var limitedKey = _keyLimits is not null && next.ConcurrencyKey is not null;
                if (limitedKey && _keyLimits!.IsAtLimit(next))
                {
                    // Its key is at its limit: it waits aside, and the tasks behind it go on.
                    _queue.TryDequeue(out _);
                    _keyLimits.TryTake(next);
                    continue;
                }

                if (limitedKey && count > 0)
                {
                    break; // a task holding a key slot runs alone in its batch, so the slot is a running task
                }

                if (!MayStart(next, out limited))
                {
                    if (limited)
                    {
                        break;
                    }

                    continue;
                }

                _queue.TryDequeue(out _);
                _keyLimits?.TryTake(next);
                _runtime.Gate.ReleaseSlot(next);
                batch[count++] = next;
                if (limitedKey)
                {
                    break;
                }
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

        if (_startRate is not null && !_startRate.TryTake())
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
        if (!_queue.Remove(item))
        {
            _keyLimits?.Remove(item);
        }

        _runtime.Gate.ReleaseSlot(item);
    }

    /// <summary>The task no longer counts against its concurrency key; the first task waiting aside for that key goes back to the head of the queue.</summary>
    private void ReleaseKey(WorkItem item)
    {
        if (_keyLimits?.Release(item) is { } next)
        {
            _queue.EnqueueFront(next);
        }
    }

    /// <summary>Waiting tasks: in the queue and aside for their concurrency key (delayed tasks are counted apart).</summary>
    private int WaitingCount => _queue.Count + (_keyLimits?.AsideCount ?? 0);

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
}
