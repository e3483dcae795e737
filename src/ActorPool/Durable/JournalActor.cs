using ActorPool.Cluster;
using ActorPool.Messages;
using ActorPool.Outcomes;
using ActorPool.Work;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorPool.Durable;

/// <summary>
/// The event-sourced queue of a durable pool, standing between its admission gate and its
/// supervisor. Accepted tasks are journaled in batches (one write for every submit that gathered
/// meanwhile) before their submits return, then go on to the pool's own supervisor and workers,
/// which record their outcomes as for any pool; "started" and "finished" are journaled behind,
/// also in batches. Snapshots let the journal delete what they cover. After a crash it reads the
/// journal back, hands the pool every task without an outcome and keeps the finished ones' outcomes.
/// </summary>
internal sealed partial class JournalActor : ReceivePersistentActor
{
    private readonly JournalContext _context;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>The unfinished tasks, newest outcomes and last id, as events and snapshots leave them.</summary>
    private readonly JournalState _state;

    /// <summary>The submits of the acceptance being written (one at a time: <c>Persist</c> holds commands until it is).</summary>
    private List<NamedItem>? _writing;

    private readonly List<long> _started = [];
    private readonly List<DurableOutcome> _finished = [];

    /// <summary>Waiters by the last id they wait for, in the order they came; released as the lowest unfinished id passes them.</summary>
    private readonly Queue<(long LastId, TaskCompletionSource Completion)> _waiters = new();

    /// <summary>Stops waiting for the journal to be written and tidied: completed when nothing is pending.</summary>
    private readonly List<TaskCompletionSource> _syncs = [];

    /// <summary>Snapshot saves and deletions sent to the journal and not yet answered.</summary>
    private int _housekeeping;

    /// <summary>The pool stops: outcomes it forces are not final.</summary>
    private bool _stopping;
    private bool _flushScheduled;

    public JournalActor(JournalContext context)
    {
        _context = context;
        _state = new JournalState(context.Options.MaxRetainedResults);
        JournalPluginId = context.JournalPluginId;
        SnapshotPluginId = context.SnapshotPluginId;

        Recover<SnapshotOffer>(offer => _state.Apply(offer.Snapshot));
        Recover<TasksJournaled>(_state.Apply);
        Recover<TasksStarted>(_state.Apply);
        Recover<TasksFinished>(_state.Apply);
        Recover<ScheduleSaved>(_state.Apply);
        Recover<ScheduleRemoved>(_state.Apply);
        Recover<RecoveryCompleted>(_ => Resume());

        Command<DrainInbox>(_ => TakeIn());
        Command<DurableStarted>(started => Buffer(_started, started.Id));
        Command<DurableSettled>(HandleSettled);
        Command<FlushJournal>(_ => Flush());
        Command<AwaitJournal>(wait => AddWaiter(wait.Completion));
        Command<SyncJournal>(sync => Flush(sync.Completion));
        Command<JournalStopping>(_ => _stopping = true);
        Command<ScheduleSaved>(saved =>
        {
            if (_state.Changes(saved.Schedule))
            {
                Persist(saved, _state.Apply);
            }
        });
        Command<ScheduleRemoved>(removed =>
        {
            if (_state.HasSchedule(removed.Id))
            {
                Persist(removed, _state.Apply);
            }
        });
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
    /// failed). Nothing more can be journaled, but no caller is left hanging: the tasks the pool
    /// already has still run and settle their callers (unjournaled, so they run again on the next
    /// start), and <c>WaitAsync</c> callers get the failure.
    /// </summary>
    protected override void PostStop()
    {
        if (_context.Failure is { } failure)
        {
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

    /// <summary>The journal is read back: keep what finished, hand the pool what did not.</summary>
    private void Resume()
    {
        foreach (var outcome in _state.Recent)
        {
            _context.Recorder.Store.Keep(new RecordedOutcome(outcome, _context.Recorder.Store));
        }

        _context.Recovered = _state.Recent.Count;
        _context.Resumed = _state.UnfinishedCount;
        if (_state.UnfinishedCount > 0 || _state.Recent.Count > 0)
        {
            _log.Info("Pool {0}: journal read back; {1} unfinished tasks run again, {2} earlier outcomes recovered", _context.Name, _state.UnfinishedCount, _state.Recent.Count);
        }

        // Before any task: the supervisor's books count this run's ids from past the last one.
        _context.Supervisor.Tell(new IdsAfter(_state.LastId));
        var resumed = new List<WorkItem>(_state.UnfinishedCount);
        foreach (var task in _state.Unfinished)
        {
            if (Resumed(task) is { } item)
            {
                resumed.Add(item);
                if (item.DedupKey is not null)
                {
                    _context.Keys?.Resumed(item);
                }
            }
        }

        foreach (var outcome in _state.Keyed)
        {
            _context.Keys?.ResumedFinished(outcome.DedupKey!, outcome.Id, outcome.Outcome, OutcomeErrors.FromRecord(outcome.Outcome, outcome.ErrorType, outcome.ErrorMessage), outcome.DedupUntil!.Value);
        }

        _context.Pool.PostMany(resumed.ToArray());
        _context.Schedules = [.. _state.Schedules];
        _context.Ready.TrySetResult();
    }

    /// <summary>An unfinished task of an earlier run, to run again; null when its handler is gone, and it is recorded Failed instead.</summary>
    private NamedItem? Resumed(DurableTask task)
    {
        if (!_context.Options.Handlers.TryGet(task.Handler, out var handler))
        {
            var missing = new DurableOutcome(task.Id, task.Options?.Key, TaskOutcome.Failed, typeof(InvalidOperationException).FullName, $"No task handler named '{task.Handler}' is registered with pool '{_context.Name}'.", 0, DateTimeOffset.UtcNow, task.Attempts);
            _context.Recorder.Record(new RecordedOutcome(missing, _context.Recorder.Store)); // journaled as finished when its record reaches the journal
            return null;
        }

        var item = new NamedItem(handler, task.Payload, task.Options?.ToTaskOptions(), _context.Options.Services)
        {
            Id = task.Id,
            Attempts = task.Attempts,
            StartTimestamp = _context.Options.TimeProvider.GetTimestamp(),
        };
        item.TryMove(ItemState.Inbox, ItemState.Journaled);
        return item;
    }

    /// <summary>Takes in what the admission gate accepted and journals it as one write; submits return once it is written.</summary>
    private void TakeIn()
    {
        _context.Inbox.Rearm();
        var items = new List<NamedItem>();
        while (_context.Inbox.TryTake(out var next))
        {
            if (next.TryMove(ItemState.Inbox, ItemState.Journaled))
            {
                items.Add((NamedItem)next);
            }
        }

        if (items.Count == 0)
        {
            return;
        }

        var tasks = new DurableTask[items.Count];
        List<ScheduleFired>? fired = null;
        for (var i = 0; i < items.Count; i++)
        {
            tasks[i] = new DurableTask(_state.IssueId(), items[i].Handler.Name, items[i].Payload, WireOptions.From(items[i].Options), Attempts: 0);
            if (items[i] is Schedules.ScheduledNamedItem { Fired: { } occurrence })
            {
                (fired ??= []).Add(occurrence);
            }
        }

        _writing = items;
        Persist(new TasksJournaled(tasks, fired?.ToArray()), journaled =>
        {
            _writing = null;
            _state.Apply(journaled);
            var written = new WorkItem[items.Count];
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                item.Id = journaled.Tasks[i].Id;
                item.Acceptance?.TrySetResult(item.Id);
                written[i] = item;
            }

            _context.Pool.PostMany(written);
        });
    }

    /// <summary>The pool recorded an outcome: journaled behind, unless the stop cut the task short, which leaves it to run again next time.</summary>
    private void HandleSettled(DurableSettled settled)
    {
        if (_stopping && settled.Outcome.Outcome is TaskOutcome.Cancelled or TaskOutcome.TimedOut)
        {
            return;
        }

        Buffer(_finished, settled.Outcome);
    }

    private void Buffer<T>(List<T> pending, T entry)
    {
        pending.Add(entry);
        if (!_flushScheduled)
        {
            _flushScheduled = true;
            Self.Tell(FlushJournal.Instance); // after what is already in the mailbox: one write for all of it
        }
    }

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
                if (item.TryMove(ItemState.Journaled, ItemState.Withdrawn))
                {
                    _context.Refuse(item, error);
                }
            }

            _writing = null;
        }
    }
}
