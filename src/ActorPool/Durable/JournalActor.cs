using ActorPool.Cluster;
using ActorPool.Messages;
using ActorPool.Named;
using ActorPool.Work;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorPool.Durable;

/// <summary>
/// The event-sourced queue of a durable pool. Accepted tasks are journaled in batches (one write
/// for every submit that gathered meanwhile) before their submits return; they then run on the
/// pool's local workers, and "started" and "finished" are journaled behind, also in batches.
/// Snapshots let the journal delete what they cover. After a crash it reads the journal back,
/// runs again every task without an outcome and hands back the outcomes of the finished ones.
/// </summary>
internal sealed class JournalActor : ReceivePersistentActor
{
    private readonly JournalContext _context;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>Accepted tasks without an outcome, by id.</summary>
    private readonly Dictionary<long, DurableTask> _unfinished = [];

    /// <summary>The newest outcomes, oldest first, at most <see cref="WorkerPoolOptions.MaxRetainedResults"/>.</summary>
    private readonly Queue<DurableOutcome> _recent = new();

    /// <summary>This run's callers' items, by id, to complete with their outcomes.</summary>
    private readonly Dictionary<long, NamedItem> _callers = [];

    /// <summary>Those callers' tasks running on the local pool, to settle them should the journal fail meanwhile.</summary>
    private readonly Dictionary<long, ExecutedItem> _executing = [];

    /// <summary>The submits of the acceptance being written (one at a time: <c>Persist</c> holds commands until it is).</summary>
    private List<NamedItem>? _writing;

    private readonly List<long> _started = [];
    private readonly List<DurableOutcome> _finished = [];
    private readonly List<(long LastId, TaskCompletionSource Completion)> _waiters = [];

    /// <summary>Stops waiting for the journal to be written and tidied: completed when nothing is pending.</summary>
    private readonly List<TaskCompletionSource> _syncs = [];

    /// <summary>Snapshot saves and deletions sent to the journal and not yet answered.</summary>
    private int _housekeeping;
    private long _lastId;
    private int _finishedSinceSnapshot;

    /// <summary>The pool stops: outcomes it forces are not final.</summary>
    private bool _stopping;
    private bool _flushScheduled;

    public JournalActor(JournalContext context)
    {
        _context = context;
        JournalPluginId = context.JournalPluginId;
        SnapshotPluginId = context.SnapshotPluginId;

        Recover<SnapshotOffer>(offer => Restore((JournalSnapshot)offer.Snapshot));
        Recover<TasksJournaled>(journaled => Accept(journaled.Tasks));
        Recover<TasksStarted>(started => CountStarts(started.Ids));
        Recover<TasksFinished>(finished => Finish(finished.Outcomes));
        Recover<RecoveryCompleted>(_ => Resume());

        Command<DrainInbox>(_ => TakeIn());
        Command<DurableStarted>(HandleStarted);
        Command<DurableRan>(HandleRan);
        Command<FlushJournal>(_ => Flush());
        Command<AwaitJournal>(wait => AddWaiter(wait.Completion));
        Command<SyncJournal>(sync => Flush(sync.Completion));
        Command<JournalStopping>(_ => _stopping = true);
        Command<SaveSnapshotSuccess>(HandleSnapshotSaved);
        Command<SaveSnapshotFailure>(failure => Housekept($"a snapshot could not be saved: {failure.Cause.Message}"));
        Command<DeleteMessagesSuccess>(_ => Done());
        Command<DeleteMessagesFailure>(failure => Housekept($"the journal could not delete old events: {failure.Cause.Message}"));
        Command<DeleteSnapshotsSuccess>(_ => Done());
        Command<DeleteSnapshotsFailure>(failure => Housekept($"old snapshots could not be deleted: {failure.Cause.Message}"));
    }

    public override string PersistenceId => $"actor-pool-{_context.Name}";

    public static Props Props(JournalContext context) => Akka.Actor.Props.Create(() => new JournalActor(context));

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _log.Error(reason, "Pool {0}: its journal could not be read back", _context.Name);
        _context.Fail(reason);
        base.OnRecoveryFailure(reason, message);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        FailAcceptance(cause);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        FailAcceptance(cause);
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    /// <summary>
    /// A journal that failed stops this actor (Akka.Persistence stops a persistent actor whose write
    /// failed). Nothing more can be journaled, but no caller is left hanging: tasks already running
    /// settle their callers when they end (unjournaled, so they run again on the next start), and
    /// <c>WaitAsync</c> callers get the failure.
    /// </summary>
    protected override void PostStop()
    {
        if (_context.Failure is { } failure)
        {
            foreach (var (id, caller) in _callers)
            {
                if (_executing.TryGetValue(id, out var executed))
                {
                    var context = _context;
                    executed.Done.ContinueWith(
                        _ => SettleCaller(context, caller, OutcomeOf(context, id, caller.Key, executed), executed),
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.OnlyOnRanToCompletion,
                        TaskScheduler.Default);
                }
            }

            foreach (var (_, waiter) in _waiters)
            {
                waiter.TrySetException(failure);
            }

            foreach (var sync in _syncs)
            {
                sync.TrySetResult();
            }
        }

        _context.Claim?.Dispose();
        base.PostStop();
    }

    private void Restore(JournalSnapshot snapshot)
    {
        _lastId = snapshot.LastId;
        foreach (var task in snapshot.Unfinished)
        {
            _unfinished[task.Id] = task;
        }

        foreach (var outcome in snapshot.Recent)
        {
            Remember(outcome);
        }
    }

    private void Accept(DurableTask[] tasks)
    {
        foreach (var task in tasks)
        {
            _unfinished[task.Id] = task;
            _lastId = Math.Max(_lastId, task.Id);
        }
    }

    private void CountStarts(long[] ids)
    {
        foreach (var id in ids)
        {
            if (_unfinished.TryGetValue(id, out var task))
            {
                _unfinished[id] = task with { Attempts = task.Attempts + 1 };
            }
        }
    }

    private void Finish(DurableOutcome[] outcomes)
    {
        foreach (var outcome in outcomes)
        {
            _unfinished.Remove(outcome.Id);
            Remember(outcome);
        }

        _finishedSinceSnapshot += outcomes.Length;
    }

    private void Remember(DurableOutcome outcome)
    {
        if (_context.Options.MaxRetainedResults == 0)
        {
            return;
        }

        _recent.Enqueue(outcome);
        while (_recent.Count > _context.Options.MaxRetainedResults)
        {
            _recent.Dequeue();
        }
    }

    /// <summary>The journal is read back: hand back what finished, run again what did not.</summary>
    private void Resume()
    {
        foreach (var outcome in _recent)
        {
            _context.Recorder.Store.Keep(new RecordedItem(outcome, _context.Recorder.Store));
        }

        _context.Recovered = _recent.Count;
        _context.Resumed = _unfinished.Count;
        if (_unfinished.Count > 0 || _recent.Count > 0)
        {
            _log.Info("Pool {0}: journal read back; {1} unfinished tasks run again, {2} earlier outcomes recovered", _context.Name, _unfinished.Count, _recent.Count);
        }

        foreach (var task in _unfinished.Values.OrderBy(t => t.Id))
        {
            Run(task);
        }

        Publish();
        _context.Ready.TrySetResult();
    }

    /// <summary>Takes in what the admission gate accepted and journals it as one write; submits return once it is written.</summary>
    private void TakeIn()
    {
        _context.Inbox.Rearm();
        var items = new List<NamedItem>();
        while (_context.Inbox.TryTake(out var next))
        {
            if (next.TryMove(ItemState.Inbox, ItemState.Queued))
            {
                items.Add((NamedItem)next);
            }
        }

        if (items.Count == 0)
        {
            return;
        }

        var tasks = new DurableTask[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            tasks[i] = new DurableTask(++_lastId, items[i].Handler.Name, items[i].Payload, WireOptions.From(items[i].Options), Attempts: 0);
        }

        _writing = items;
        Persist(new TasksJournaled(tasks), journaled =>
        {
            _writing = null;
            Accept(journaled.Tasks);
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                item.Id = journaled.Tasks[i].Id;
                _callers[item.Id] = item;
                item.Acceptance?.TrySetResult(item.Id);
                Run(journaled.Tasks[i]);
            }

            Publish();
        });
    }

    /// <summary>Runs a journaled task on the local pool; its start and its end come back as messages.</summary>
    private void Run(DurableTask task)
    {
        if (!_context.Options.Handlers.TryGet(task.Handler, out var handler))
        {
            var missing = new DurableOutcome(task.Id, task.Options?.Key, TaskOutcome.Failed, typeof(InvalidOperationException).FullName, $"No task handler named '{task.Handler}' is registered with pool '{_context.Name}'.", 0, DateTimeOffset.UtcNow, task.Attempts);
            Conclude(task.Id, missing, executed: null);
            return;
        }

        var self = Self;
        var id = task.Id;
        var callerToken = _callers.TryGetValue(id, out var caller) ? caller.CallerToken : default;
        var item = new ExecutedItem(handler, task.Payload, task.Options?.ToTaskOptions(), _context.Options.Services, () => self.Tell(new DurableStarted(id)), callerToken) { Attempts = task.Attempts };
        _context.Executor.Submit(item, CancellationToken.None).ContinueWith(
            static (submitted, state) => _ = submitted.Exception, // a stopped local pool: the task stays unfinished in the journal
            null,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        if (caller is not null)
        {
            _executing[id] = item;
        }

        item.Done.PipeTo(self, success: done => new DurableRan(id, done));
    }

    /// <summary>A task left the queue for a worker: its queue slot is free, as on a local pool, and its start is journaled behind.</summary>
    private void HandleStarted(DurableStarted started)
    {
        if (_callers.TryGetValue(started.Id, out var caller))
        {
            _context.Gate.ReleaseSlot(caller);
        }

        Buffer(() => _started.Add(started.Id));
    }

    private void HandleRan(DurableRan ran)
    {
        _executing.Remove(ran.Id);
        var key = _callers.TryGetValue(ran.Id, out var caller) ? caller.Key : _unfinished.GetValueOrDefault(ran.Id)?.Options?.Key;
        Conclude(ran.Id, OutcomeOf(_context, ran.Id, key, ran.Item), ran.Item);
    }

    /// <summary>A run's outcome as the journal keeps it.</summary>
    private static DurableOutcome OutcomeOf(JournalContext context, long id, string? key, ExecutedItem item) => new(
        id,
        key,
        item.Outcome,
        item.Error?.GetType().FullName,
        item.Error?.Message,
        context.Executor.Results.Duration(item).Ticks,
        context.Executor.Results.WallClock(item.StartTimestamp),
        item.Attempts);

    /// <summary>Records a caller's outcome: its value, its exception by the one rule, its run's times; frees its queue slot.</summary>
    private static void SettleCaller(JournalContext context, NamedItem caller, DurableOutcome outcome, ExecutedItem? executed)
    {
        if (executed is not null)
        {
            caller.RanRemotely(executed.Outcome == TaskOutcome.Succeeded && caller.Handler.ResultType is { } type ? PayloadCodec.Serialize(executed.Value, type) : null, node: null);
        }

        caller.Attempts = outcome.Attempts;
        caller.StartTimestamp = executed?.StartTimestamp ?? context.Recorder.Store.Timestamp(outcome.StartedAt); // the executor shares the pool's clock
        var ran = outcome.Attempts > 0 && outcome.Outcome != TaskOutcome.Dropped;
        context.Recorder.TrySettle(caller, ItemState.Queued, outcome.Outcome, RecordedItem.ErrorOf(outcome, executed?.Error), ran);
        context.Gate.ReleaseSlot(caller);
    }

    /// <summary>Completes the caller (or records a resumed task's outcome) now, and journals the outcome behind.</summary>
    private void Conclude(long id, DurableOutcome outcome, ExecutedItem? executed)
    {
        if (_callers.Remove(id, out var caller))
        {
            SettleCaller(_context, caller, outcome, executed);
        }
        else
        {
            _context.Recorder.Record(new RecordedItem(outcome, _context.Recorder.Store)); // a resumed task: OnTaskCompleted hears of it too
        }

        if (_stopping && outcome.Outcome is TaskOutcome.Cancelled or TaskOutcome.TimedOut)
        {
            return; // cut short by the stop: it stays unfinished and runs again next time
        }

        Buffer(() => _finished.Add(outcome));
    }

    private void Buffer(Action add)
    {
        add();
        if (!_flushScheduled)
        {
            _flushScheduled = true;
            Self.Tell(FlushJournal.Instance); // after what is already in the mailbox: one write for all of it
        }
    }

    /// <summary>Journals what started and finished since the last write; <paramref name="synced"/> completes once written.</summary>
    private void Flush(TaskCompletionSource? synced = null)
    {
        _flushScheduled = false;
        if (_started.Count > 0)
        {
            PersistAsync(new TasksStarted([.. _started]), started => CountStarts(started.Ids));
            _started.Clear();
        }

        if (_finished.Count > 0)
        {
            PersistAsync(new TasksFinished([.. _finished]), finished =>
            {
                Finish(finished.Outcomes);
                Publish();
                ReleaseWaiters();
                if (_finishedSinceSnapshot >= _context.Options.Persistence.SnapshotEvery)
                {
                    _finishedSinceSnapshot = 0;
                    _housekeeping++;
                    SaveSnapshot(new JournalSnapshot(_lastId, [.. _unfinished.Values], [.. _recent]));
                }
            });
            _finished.Clear();
        }

        if (synced is not null)
        {
            // Runs after every write persisted before it; then waits for the tidying those started.
            DeferAsync(synced, done =>
            {
                _syncs.Add(done);
                Housekept();
            });
        }
    }

    private void HandleSnapshotSaved(SaveSnapshotSuccess saved)
    {
        _housekeeping += 1; // the save (-1 below) is followed by two deletions (+2)
        DeleteMessages(saved.Metadata.SequenceNr);
        DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
        Housekept();
    }

    private void Done()
    {
        _housekeeping--;
        Housekept();
    }

    /// <summary>A snapshot save or deletion was answered (or a sync asks); syncs complete once none is pending.</summary>
    private void Housekept(string? problem = null)
    {
        if (problem is not null)
        {
            _log.Warning("Pool {0}: {1}", _context.Name, problem);
            _housekeeping--;
        }

        if (_housekeeping > 0)
        {
            return;
        }

        foreach (var sync in _syncs)
        {
            sync.TrySetResult();
        }

        _syncs.Clear();
    }

    private void AddWaiter(TaskCompletionSource completion)
    {
        TakeIn();
        _waiters.Add((_lastId, completion));
        ReleaseWaiters();
    }

    /// <summary>A waiter is done once no task up to its id is unfinished (finishing in order of id is not needed).</summary>
    private void ReleaseWaiters()
    {
        var lowest = _unfinished.Count == 0 ? long.MaxValue : _unfinished.Keys.Min();
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].LastId < lowest)
            {
                _waiters[i].Completion.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    private void Publish() => _context.Unfinished = _unfinished.Count;

    /// <summary>A write failed: the pool stops accepting, and the submits whose acceptance was being written fail with the journal's failure.</summary>
    private void FailAcceptance(Exception cause)
    {
        _log.Error(cause, "Pool {0}: the journal refused a write", _context.Name);
        var error = _context.Fail(cause);

        // The actor stops after any failed write, so an acceptance still being written is never confirmed.
        if (_writing is { } refused)
        {
            foreach (var item in refused)
            {
                if (item.TryMove(ItemState.Queued, ItemState.Withdrawn))
                {
                    _context.Refuse(item, error);
                }
            }

            _writing = null;
        }
    }
}
