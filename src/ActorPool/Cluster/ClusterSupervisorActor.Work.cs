using ActorPool.Durable;
using ActorPool.Messages;
using ActorPool.Outcomes;
using ActorPool.Work;
using Akka.Actor;
using Akka.Event;
using Akka.Routing;

namespace ActorPool.Cluster;

// The clustered supervisor's work: handing tasks out, taking reports in, losing workers.
internal sealed partial class ClusterSupervisorActor
{
    /// <summary>Hands queued tasks to idle workers; a task is claimed as it goes out.</summary>
    private void Dispatch()
    {
        while (_queue.Count > 0 && _roster.TryTakeIdle(out var slot))
        {
            var batch = new List<WorkItem>();
            var size = _sizer.Next(_queue.Count, _roster.IdleCount, decidePerStart: _options.EnablePriority);
            var bytes = 0;
            while (batch.Count < size && _queue.TryDequeue(out var next))
            {
                var item = (ClusterItem)next;
                if (item.State != ItemState.Queued)
                {
                    continue; // expired while it waited
                }

                var limitedKey = _keyLimits is not null && item.ConcurrencyKey is not null;
                if (limitedKey && batch.Count > 0 && !_keyLimits!.IsAtLimit(item))
                {
                    _queue.EnqueueFront(item); // a task holding a key slot runs alone in its batch: the next worker's
                    break;
                }

                if (limitedKey && !_keyLimits!.TryTake(item))
                {
                    continue; // its key is at its limit: it waits aside, the tasks behind it go on
                }

                var itemBytes = WireBudget.EntryOverhead + (3 * item.Handler.Length) + WireBudget.Size(item.Payload);
                if (batch.Count > 0 && bytes + itemBytes > _wireBudget)
                {
                    ReleaseKey(item);
                    _queue.EnqueueFront(item); // the next worker's
                    break;
                }

                bytes += itemBytes;
                item.TryMove(ItemState.Queued, ItemState.Running);

                item.RunBy = slot.Number;
                item.Attempts++;
                item.StartTimestamp = _options.TimeProvider.GetTimestamp();
                batch.Add(item);
                if (_durable)
                {
                    JournalBehind(_unjournaledStarts, item.Id); // a task running at a failover counts this try
                }

                if (item.TellStart)
                {
                    item.TellStart = false; // once: a slot is freed at the first start, not at every try
                    Started(item);
                }

                if (limitedKey)
                {
                    break;
                }
            }

            if (batch.Count == 0)
            {
                _roster.Free(slot);
                continue;
            }

            var items = batch.ToArray();
            _roster.Assign(slot, items);
            slot.Ref.Tell(new RunTasks([.. items.Select(i => ToWire((ClusterItem)i))]));
        }
    }

    /// <summary>Queues a start for the task's front, which frees its queue slot.</summary>
    private void Started(ClusterItem item)
    {
        if (item.Front.IsNobody())
        {
            return;
        }

        if (!_startedOutbox.TryGetValue(item.Front, out var ids))
        {
            ids = [];
            _startedOutbox[item.Front] = ids;
        }

        ids.Add(item.Id);
    }

    /// <summary>
    /// A front's callers cancelled these tasks: each that still waits, for its first run or for a
    /// retry, is recorded <c>Cancelled</c> unrun, as a local pool does. A running try is not
    /// reached: no caller's token crosses to the worker's node, so it runs to its end.
    /// </summary>
    private void HandleCancel(CancelTasks cancel)
    {
        foreach (var id in cancel.Ids)
        {
            if (!_live.TryGetValue(id, out var item))
            {
                continue; // finished, or not here
            }

            var error = new OperationCanceledException("The caller cancelled the task before it ran.");
            if (item.State == ItemState.Queued && RemoveWaiting(item))
            {
                Settle(item, ItemState.Queued, TaskOutcome.Cancelled, error, ran: item.Attempts > 0);
            }
            else if (item.State == ItemState.RetryWaiting && _retries.TryTake(id, out _))
            {
                Settle(item, ItemState.RetryWaiting, TaskOutcome.Cancelled, error, ran: true);
            }
        }
    }

    /// <summary>
    /// <c>CancelAsync</c>: a waiting task is recorded <c>Cancelled</c> unrun; a running one is told
    /// to its worker, whose run's token is cancelled, and reported back <c>Cancelled</c> by it.
    /// </summary>
    private void HandleCancelById(CancelById cancel)
    {
        var cancelled = false;
        if (_live.TryGetValue(cancel.Id, out var item))
        {
            var error = new OperationCanceledException($"Task {cancel.Id} was cancelled by CancelAsync.");
            if (item.State == ItemState.Queued && RemoveWaiting(item))
            {
                Settle(item, ItemState.Queued, TaskOutcome.Cancelled, error, ran: item.Attempts > 0);
                cancelled = true;
            }
            else if (item.State == ItemState.RetryWaiting && _retries.TryTake(cancel.Id, out _))
            {
                Settle(item, ItemState.RetryWaiting, TaskOutcome.Cancelled, error, ran: true);
                cancelled = true;
            }
            else if (item.State == ItemState.Running && _roster.All.FirstOrDefault(slot => slot.Batch?.Contains(item) == true) is { } slot)
            {
                slot.Ref.Tell(new CancelRunning(cancel.Id));
                cancelled = true;
            }
        }

        var answer = new CancelAnswer(cancel.Id, cancelled);
        if (_durable && _unjournaled.Count > 0)
        {
            // Written before the answer, so a failover right after the cancel cannot run the task again.
            var asker = Sender;
            FlushOutcomes();
            DeferAsync(answer, written => asker.Tell(written));
            return;
        }

        Sender.Tell(answer);
    }

    private void HandleListWaiting(ListWaiting list)
    {
        var runningOn = new Dictionary<long, string?>();
        foreach (var slot in _roster.All)
        {
            foreach (var handed in slot.Batch ?? [])
            {
                runningOn[handed.Id] = _nodeOf.GetValueOrDefault(slot.Ref);
            }
        }

        var running = _live.Values.Where(item => item.State == ItemState.Running);
        var waiting = _live.Values.Where(static item => item.State != ItemState.Running);
        var tasks = running.Concat(waiting).Take(Math.Clamp(list.Max, 0, 1000))
            .Select(item => new WirePending(item.Id, item.State == ItemState.Running, item.Handler, item.Key, item.Attempts, runningOn.GetValueOrDefault(item.Id, item.Node)))
            .ToArray();
        Sender.Tell(new PendingList(tasks));
    }

    private WireTask ToWire(ClusterItem item) =>
        new(item.Id, item.Handler, item.Payload, item.Attempts, RunTimeoutMs(item), MaxAttempts(item));

    private void HandleTasksRan(TasksRan ran)
    {
        if (!_roster.TryGet(Sender, out var slot))
        {
            return; // a worker we already gave up on: its tasks run elsewhere
        }

        if (ran.More)
        {
            // Part of a report too large for one message: the worker keeps its batch until the last part.
            foreach (var outcome in ran.Outcomes)
            {
                if (_live.TryGetValue(outcome.Id, out var item) && item.State == ItemState.Running && item.RunBy == slot.Number)
                {
                    Conclude(item, outcome);
                }
            }

            return;
        }

        var batch = _roster.Release(slot) ?? [];
        var runs = 0;
        var ticks = 0L;
        foreach (var outcome in ran.Outcomes)
        {
            runs++;
            ticks += outcome.DurationTicks;
            if (_live.TryGetValue(outcome.Id, out var item) && item.State == ItemState.Running && item.RunBy == slot.Number)
            {
                Conclude(item, outcome);
            }
        }

        // Anything the report left out goes back to be run again.
        foreach (var item in batch.Cast<ClusterItem>())
        {
            if (item.State == ItemState.Running && item.RunBy == slot.Number && item.TryMove(ItemState.Running, ItemState.Queued))
            {
                ReleaseKey(item);
                _queue.EnqueueFront(item);
            }
        }

        _sizer.Observe(runs, ticks);
        if (_roster.Free(slot))
        {
            _router.Tell(new RemoveRoutee(Routee.FromActorRef(slot.Ref)));
        }

        Dispatch();
    }

    /// <summary>Settles a run's report, or schedules another try when the worker's pool rules say so.</summary>
    private void Conclude(ClusterItem item, WireOutcome outcome)
    {
        ReleaseKey(item);
        item.RanOn(outcome.Node);
        item.Result = outcome.Result;
        var now = _options.TimeProvider.GetTimestamp();
        item.StartTimestamp = now - (long)(outcome.DurationTicks / (double)TimeSpan.TicksPerSecond * _options.TimeProvider.TimestampFrequency);
        var error = outcome.ErrorType is null ? null : OutcomeErrors.FromRecord(outcome.Outcome, outcome.ErrorType, outcome.ErrorMessage);
        if (outcome.RetryWanted && item.Attempts < MaxAttempts(item))
        {
            item.Error = error;
            item.EndTimestamp = now;
            item.TryMove(ItemState.Running, ItemState.RetryWaiting);
            _retried++;
            _retries.Add(item);
            return;
        }

        Settle(item, ItemState.Running, outcome.Outcome, error, ran: true);
    }

    private void Settle(ClusterItem item, int from, TaskOutcome outcome, Exception? error, bool ran)
    {
        if (!_recorder.TrySettle(item, from, outcome, error, ran))
        {
            return;
        }

        _live.Remove(item.Id);
        var wire = new WireOutcome(
            item.Id,
            outcome,
            item.Result,
            error is RemoteTaskException remote ? remote.ExceptionType : error?.GetType().FullName,
            error?.Message,
            _results.Duration(item).Ticks,
            _results.WallClock(item.StartTimestamp),
            item.Attempts,
            RetryWanted: false,
            item.Node);
        Remember(wire);
        Send(item.Front, wire);
        foreach (var front in item.JoinedFronts ?? [])
        {
            Send(front, wire);
        }

        FinishKey(item, wire);
        if (_durable)
        {
            JournalBehind(_unjournaled, new DurableOutcome(wire.Id, item.Key, wire.Outcome, wire.ErrorType, wire.ErrorMessage, wire.DurationTicks, wire.StartedAt, wire.Attempts, wire.Result, wire.Node, item.DedupKey, item.KeyTakenUntil(_options.DeduplicationWindow, _results.WallClock(item.EndTimestamp))));
        }
    }

    /// <summary>Queues an outcome for its front, sent once the current message is handled.</summary>
    private void Send(IActorRef front, WireOutcome outcome)
    {
        if (front.IsNobody())
        {
            return; // read back from the journal: its front will ask again
        }

        if (!_outbox.TryGetValue(front, out var outcomes))
        {
            outcomes = [];
            _outbox[front] = outcomes;
        }

        outcomes.Add(outcome);
    }

    /// <summary>Keeps a finished task's outcome for a front that submits it again after a failover.</summary>
    private void Remember(WireOutcome outcome)
    {
        if (_finishedRecently.TryAdd(outcome.Id, outcome))
        {
            _finishedOrder.Enqueue(outcome.Id);
        }

        while (_finishedOrder.Count > Math.Max(_options.MaxRetainedResults, 1))
        {
            _finishedRecently.Remove(_finishedOrder.Dequeue());
        }
    }

    private void HandleTerminated(Terminated terminated)
    {
        var gone = terminated.ActorRef;
        if (_fronts.Remove(gone))
        {
            return;
        }

        _nodeOf.Remove(gone, out var node);
        var number = _roster.TryGet(gone, out var slot) ? slot.Number : WorkItem.HolderNone;
        var held = _roster.Leave(gone, out _) ?? [];
        var requeued = 0;
        foreach (var item in held)
        {
            if (item.State == ItemState.Running && item.RunBy == number && item.TryMove(ItemState.Running, ItemState.Queued))
            {
                ReleaseKey((ClusterItem)item);
                _queue.EnqueueFront(item);
                requeued++;
            }
        }

        if (requeued > 0)
        {
            _log.Warning("Pool {0}: worker {1} on {2} is gone; {3} of its tasks go back to the head of the queue", _pool, gone.Path.Name, node ?? "(unknown node)", requeued);
        }
        else
        {
            _log.Debug("Pool {0}: idle worker {1} on {2} is gone", _pool, gone.Path.Name, node ?? "(unknown node)"); // a node leaving: nothing lost
        }
        Dispatch();
    }

    private void HandleRetryDue(RetryDue due)
    {
        if (_retries.TryTake(due.TaskId, out var next) && next is ClusterItem item && item.TryMove(ItemState.RetryWaiting, ItemState.Queued))
        {
            _queue.Enqueue(item);
            Dispatch();
        }
    }

    /// <summary>A first attempt may wait in the queue for its own or the pool's queue timeout, counted from <paramref name="since"/>.</summary>
    private void ExpireInQueue(ClusterItem item, long since)
    {
        if (item.Attempts == 0 && (item.Settings?.QueueTimeoutMs is { } own ? Duration(own) : OptionLimits.Limit(_options.QueueTimeout)) is { } queueTimeout)
        {
            _expiry.Add(item, queueTimeout, since);
        }
    }

    /// <summary>Delayed tasks whose time has come join the queue.</summary>
    private void HandleDelaysDue()
    {
        _delayed.TakeDue(_due);
        var now = _options.TimeProvider.GetTimestamp();
        foreach (var item in _due.Cast<ClusterItem>())
        {
            if (!_live.ContainsKey(item.Id) || item.State != ItemState.Queued)
            {
                continue;
            }

            item.StartTimestamp = now; // its queue wait counts from its time
            ExpireInQueue(item, now);
            _queue.Enqueue(item);
        }

        _due.Clear();
        ScheduleExpiry();
        Dispatch();
    }

    private void HandleExpiry()
    {
        _expiry.TakeExpired(_expired);
        foreach (var item in _expired.Cast<ClusterItem>())
        {
            if (item.Attempts == 0 && RemoveWaiting(item))
            {
                Settle(item, ItemState.Queued, TaskOutcome.TimedOut, new TimeoutException("The task waited longer than its queue timeout and was never started."), ran: false);
            }
        }

        _expired.Clear();
        ScheduleExpiry();
    }

    private void ScheduleExpiry()
    {
        if (_expiry.NextDue() is { } due)
        {
            Timers.StartSingleTimer(ExpiryTimer, ExpiryDue.Instance, due);
        }
    }

    private void SendFigures()
    {
        foreach (var front in _fronts)
        {
            SendFiguresTo(front);
        }
    }

    private void SendFiguresTo(IActorRef front)
    {
        var stats = _results.AddTo(new PoolStats());
        var byNode = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var worker in _roster.All)
        {
            if (!worker.Retiring && _nodeOf.TryGetValue(worker.Ref, out var node))
            {
                byNode[node] = byNode.GetValueOrDefault(node) + 1;
            }
        }

        front.Tell(new ClusterFigures(
            byNode,
            _roster.Busy,
            _queue.Count + (_keyLimits?.AsideCount ?? 0),
            _submitted,
            _rejected,
            _retried,
            [stats.Succeeded, stats.Failed, stats.Cancelled, stats.TimedOut, stats.Dropped],
            stats.MeanDuration.Ticks,
            stats.P99Duration.Ticks,
            _resumed,
            _recovered,
            _deduplicated,
            _keyLimits?.AsideCount ?? 0,
            _delayed.Count));
    }

    /// <summary>The earliest queue deadline is due.</summary>
    private sealed class ExpiryDue : INoSerializationVerificationNeeded
    {
        public static readonly ExpiryDue Instance = new();
    }

    /// <summary>Time to tell the fronts the figures.</summary>
    private sealed class FiguresDue : INoSerializationVerificationNeeded
    {
        public static readonly FiguresDue Instance = new();
    }
}
