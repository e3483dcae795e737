using ActorPool.Actors.Supervision;
using ActorPool.Durable;
using ActorPool.Outcomes;
using ActorPool.Work;
using Akka.Actor;
using Akka.Cluster.Routing;
using Akka.Event;
using Akka.Persistence;
using Akka.Routing;

namespace ActorPool.Cluster;

/// <summary>
/// The supervisor of a clustered pool, run as a cluster singleton on the oldest node with the
/// pool's role. It owns the queue, a cluster-aware round-robin router pool that creates and
/// supervises workers on every node with the role, and the decision of which task runs where.
/// Workers pull; when one is lost (its node downed or gone), the tasks it held go back to the head
/// of the queue and run elsewhere: at-least-once execution, one recorded outcome per task id.
/// </summary>
/// <remarks>
/// <para>The decisions live in the same state objects as the local supervisor's (queue, roster,
/// batch sizing, retry schedule, queue expiry); what differs is that workers are remote, so a task
/// is claimed when it is handed out and settled here from the worker's report.</para>
/// <para>With durable mode on, the queue is event-sourced on the shared journal: accepted tasks
/// are written before they are acknowledged and outcomes behind, so the node that takes the
/// singleton over reads back every unfinished task. Without it the actor journals nothing (its
/// journal is the in-memory one) and fronts submit their unfinished tasks again to a new supervisor.</para>
/// </remarks>
internal sealed partial class ClusterSupervisorActor : ReceivePersistentActor, IWithTimers
{
    private const string FiguresTimer = "figures";
    private const string ExpiryTimer = "expiry";
    private const string KeysSettleTimer = "keys-settle";

    /// <summary>How often fronts hear the cluster's figures.</summary>
    private static readonly TimeSpan FiguresInterval = TimeSpan.FromMilliseconds(250);

    private readonly string _pool;
    private readonly WorkerPoolOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TaskQueue _queue;
    private readonly WorkerRoster _roster = new(target: 0);
    private readonly BatchSizer _sizer = new();
    private readonly RetrySchedule _retries;
    private readonly QueueExpiry _expiry;
    private readonly ResultStore _results;
    private readonly OutcomeRecorder _recorder;

    /// <summary>Tasks taken in and not settled, by id.</summary>
    private readonly Dictionary<long, ClusterItem> _live = [];

    private readonly Dictionary<IActorRef, string> _nodeOf = [];
    private readonly HashSet<IActorRef> _fronts = [];

    /// <summary>Outcomes of recently finished tasks, by id, for a front that submits one again after a failover.</summary>
    private readonly Dictionary<long, WireOutcome> _finishedRecently = [];
    private readonly Queue<long> _finishedOrder = new();

    /// <summary>Durable mode: what the journal stands for, by the same rules as a local durable pool's.</summary>
    private readonly JournalState _journal;

    /// <summary>Durable mode: outcomes and starts not journaled yet.</summary>
    private readonly List<DurableOutcome> _unjournaled = [];
    private readonly List<long> _unjournaledStarts = [];
    private readonly bool _durable;
    private readonly int _wireBudget;
    private bool _flushScheduled;

    /// <summary>Outcomes to send, per front, once the current message is handled.</summary>
    private readonly Dictionary<IActorRef, List<WireOutcome>> _outbox = [];

    /// <summary>Ids of tasks that started their first run, per front that asked to hear it, sent with the outbox.</summary>
    private readonly Dictionary<IActorRef, List<long>> _startedOutbox = [];
    private readonly List<WorkItem> _expired = [];
    private readonly List<WorkItem> _due = [];

    /// <summary>Tasks waiting for their time (<see cref="TaskOptions.NotBefore"/>, <see cref="TaskOptions.Delay"/>): here, in the singleton, so each starts once however many nodes run.</summary>
    private readonly Actors.Supervision.DelayedTasks _delayed;

    /// <summary>Deduplication keys, by key: the task holding each, while it lives and for its window after.</summary>
    private readonly Dictionary<string, ClusterKey> _keys = new(StringComparer.Ordinal);

    /// <summary>Finished keys in the order they finished, to sweep expired ones.</summary>
    private readonly Queue<(string Key, ClusterKey Entry)> _keyWindows = new();

    /// <summary>Batches with a new keyed task, held until the keys are complete (see <c>HoldForKeys</c>).</summary>
    private readonly List<SubmitTasks> _heldForKeys = [];

    /// <summary>Nodes whose front has submitted its waiting tasks to this supervisor.</summary>
    private readonly HashSet<Address> _resubmittedNodes = [];

    /// <summary>Whether the keys are complete: always for a durable pool, whose journal holds them.</summary>
    private bool _keysSettled;

    /// <summary>Per-key concurrency; null when the pool sets no limits.</summary>
    private readonly Actors.Supervision.KeyLimits? _keyLimits;

    private IActorRef _router = ActorRefs.Nobody;
    private long _deduplicated;
    private long _nextId;
    private long _submitted;

    /// <summary>Durable mode: unfinished tasks read back from the journal, and finished ones whose outcomes were.</summary>
    private long _resumed;
    private long _recovered;
    private long _rejected;
    private long _retried;

    public ClusterSupervisorActor(string pool, WorkerPoolOptions options)
    {
        _pool = pool;
        _options = options;
        _queue = new TaskQueue(options.EnablePriority); // as locally: FIFO unless asked for
        _keyLimits = Actors.Supervision.KeyLimits.For(options);
        var self = Self;
        _retries = new RetrySchedule(options.RetryBackoff, OptionLimits.Cap(options.MaxRetryBackoff), time: options.TimeProvider, onDue: id => self.Tell(new Messages.RetryDue(id), ActorRefs.NoSender));
        _expiry = new QueueExpiry(options.TimeProvider);
        _results = new ResultStore(options.MaxRetainedResults, options.TimeProvider);
        _recorder = new OutcomeRecorder(_results, options.TimeProvider, pool, hasPoolHook: false);
        _durable = options.Persistence.Enabled;
        _journal = new JournalState(Math.Max(options.MaxRetainedResults, 1));
        _wireBudget = WireBudget.Of(Context.System);
        _delayed = new Actors.Supervision.DelayedTasks(options.TimeProvider, () => self.Tell(Messages.DelaysDue.Instance, ActorRefs.NoSender));
        JournalPluginId = _durable ? JournalSetup.JournalPluginId : "akka.persistence.journal.inmem";
        SnapshotPluginId = _durable ? JournalSetup.SnapshotPluginId : "akka.persistence.snapshot-store.inmem";

        Recover<SnapshotOffer>(offer => _journal.Apply(offer.Snapshot));
        Recover<TasksJournaled>(_journal.Apply);
        Recover<TasksStarted>(_journal.Apply);
        Recover<TasksFinished>(_journal.Apply);
        Recover<RecoveryCompleted>(_ => Recovered());

        Command<SubmitTasks>(HandleSubmit);
        Command<RegisterFront>(HandleRegisterFront);
        Command<FrontResubmitted>(HandleFrontResubmitted);
        Command<KeysSettleDue>(_ => SettleKeys("its wait for the fronts ran out"));
        Command<WorkerUp>(HandleWorkerUp);
        Command<TasksRan>(HandleTasksRan);
        Command<CancelTasks>(HandleCancel);
        Command<CancelById>(HandleCancelById);
        Command<ListWaiting>(HandleListWaiting);
        Command<Terminated>(HandleTerminated);
        Command<Messages.RetryDue>(HandleRetryDue);
        Command<Messages.DelaysDue>(_ => HandleDelaysDue());
        Command<ExpiryDue>(_ => HandleExpiry());
        Command<FiguresDue>(_ => SendFigures());
        Command<FlushJournal>(_ => FlushOutcomes());
        Command<SaveSnapshotSuccess>(saved =>
        {
            DeleteMessages(saved.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
        });
        Command<SaveSnapshotFailure>(failure => _log.Warning("Pool {0}: a snapshot could not be saved: {1}", _pool, failure.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(failure => _log.Warning("Pool {0}: the journal could not delete old events: {1}", _pool, failure.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failure => _log.Warning("Pool {0}: old snapshots could not be deleted: {1}", _pool, failure.Cause.Message));
    }

    public override string PersistenceId => $"actor-pool-cluster-{_pool}";

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string pool, WorkerPoolOptions options) => Akka.Actor.Props.Create(() => new ClusterSupervisorActor(pool, options));

    protected override void PreStart()
    {
        // Ids of a new incarnation (after the singleton moved) start past any an earlier one could
        // have issued: a million per millisecond of wall-clock time, which no pool reaches.
        var self = Akka.Cluster.Cluster.Get(Context.System).SelfMember;
        _nextId = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;

        var perNode = _options.Cluster.MaxWorkersPerNode > 0 ? _options.Cluster.MaxWorkersPerNode : _options.Workers;
        var role = string.IsNullOrWhiteSpace(_options.Cluster.Role) ? null : _options.Cluster.Role;
        var settings = new ClusterRouterPoolSettings(OptionLimits.MaxWorkers, perNode, allowLocalRoutees: true, useRole: role);
        var strategy = new OneForOneStrategy(_ => Directive.Restart);
        var workerProps = ClusterWorkerActor.Props(_pool, Self);
        if (_options.Dispatcher is { Length: > 0 } dispatcher)
        {
            workerProps = workerProps.WithDispatcher(dispatcher); // tasks run on their worker's thread until they await
        }

        _router = Context.ActorOf(
            workerProps.WithRouter(new ClusterRouterPool(new RoundRobinPool(0).WithSupervisorStrategy(strategy), settings)),
            "workers");
        Timers.StartPeriodicTimer(FiguresTimer, FiguresDue.Instance, FiguresInterval);
        _log.Info("Pool {0}: supervisor up on {1}, {2} workers per node with role {3}", _pool, self.Address, perNode, role ?? "(any)");
    }

    protected override void PostStop()
    {
        _delayed.StopTimer(); // the next incarnation reads the delayed tasks back or gets them from the fronts
        _retries.StopTimers();
        base.PostStop();
    }

    /// <summary>Sends the outcomes settled while handling the message, one message per front.</summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception ex)
        {
            _log.Error(ex, "Pool {0}: handling {1} failed; resuming with the state kept", _pool, message.GetType().Name);
            return true;
        }
        finally
        {
            foreach (var (front, outcomes) in _outbox)
            {
                foreach (var chunk in WireBudget.Chunks(outcomes, WireBudget.Size, _wireBudget))
                {
                    front.Tell(new TaskOutcomes(chunk));
                }
            }

            _outbox.Clear();
            foreach (var (front, ids) in _startedOutbox)
            {
                front.Tell(new TasksRunning([.. ids])); // ids are 8 bytes each: a dispatch round is far inside the frame
            }

            _startedOutbox.Clear();
        }
    }

    private void HandleSubmit(SubmitTasks submit)
    {
        if (HoldForKeys(submit))
        {
            return;
        }

        if (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() > submit.DeadlineUnixMs)
        {
            _rejected += submit.Tasks.Length;
            submit.Front.Tell(new TasksRefused(submit.Correlation, RejectionReason.Stopped, "The pool's supervisor got the tasks after their submitter stopped waiting (AskTimeout)."));
            return;
        }

        // Ids are given before the write, so a task journaled is a task acknowledged with that id.
        var (tasks, joined) = IssueIds(submit.Tasks);
        if (!_durable)
        {
            Accept(submit, tasks, joined);
            return;
        }

        var fresh = tasks.Where((task, i) => joined?[i] != true && !_live.ContainsKey(task.Id) && !_finishedRecently.ContainsKey(task.Id))
            .Select(task => new DurableTask(task.Id, task.Handler, task.Payload, task.Options, task.Attempts))
            .ToArray();
        if (fresh.Length == 0)
        {
            Accept(submit, tasks, joined);
            return;
        }

        Persist(new TasksJournaled(fresh), journaled =>
        {
            _journal.Apply(journaled);
            Accept(submit, tasks, joined);
        });
    }

    private void Accept(SubmitTasks submit, WireSubmit[] tasks, bool[]? joined)
    {
        var ids = new long[tasks.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            if (joined?[i] == true)
            {
                JoinByKey(tasks[i], submit.Front);
                ids[i] = tasks[i].Id;
                continue;
            }

            ids[i] = TakeIn(tasks[i], submit.Front, submit.TellStarts);
        }

        submit.Front.Tell(new TasksAccepted(submit.Correlation, ids, joined));
        Watch(submit.Front);
        ScheduleExpiry();
        Dispatch();
    }

    /// <summary>Takes one task in, or finds it again when its front submits it once more; returns its id.</summary>
    private long TakeIn(WireSubmit task, IActorRef front, bool tellStart)
    {
        if (_live.TryGetValue(task.Id, out var known))
        {
            if (known.DedupKey is not null)
            {
                known.Join(front); // several fronts may wait for one keyed task: each asks again after a failover
                return task.Id;
            }

            known.Front = front; // already here: its outcome goes to the front that asks now
            known.TellStart = tellStart;
            return task.Id;
        }

        if (_finishedRecently.TryGetValue(task.Id, out var finished))
        {
            Send(front, finished); // it finished before its front asked again
            return task.Id;
        }

        var id = task.Id;
        _nextId = Math.Max(_nextId, id);
        _submitted++;
        var item = new ClusterItem(task, front) { Id = id, Attempts = task.Attempts, TellStart = tellStart };
        item.TryMove(ItemState.Inbox, ItemState.Queued);
        item.StartTimestamp = _options.TimeProvider.GetTimestamp();
        _live[id] = item;
        HoldKey(item);
        if (_delayed.IsFuture(task.Options?.DueAt, out var due))
        {
            _delayed.Add(item, due);
            return id;
        }

        ExpireInQueue(item, item.StartTimestamp);
        _queue.Enqueue(item);
        return id;
    }

    private void HandleRegisterFront(RegisterFront register)
    {
        Watch(register.Front);
        register.Front.Tell(new FrontRegistered(Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString()));
        SendFiguresTo(register.Front);
    }

    private void Watch(IActorRef front)
    {
        if (_fronts.Add(front))
        {
            Context.Watch(front);
        }
    }

    private void HandleWorkerUp(WorkerUp up)
    {
        var slot = _roster.Join(Sender, out var isNew);
        if (isNew)
        {
            Context.Watch(Sender);
            _nodeOf[Sender] = up.Node;
            _log.Info("Pool {0}: worker {1} up on {2}", _pool, Sender.Path.Name, up.Node);
        }

        _roster.Free(slot);
        Dispatch();
    }

    private static TimeSpan? Duration(long? milliseconds) => milliseconds switch
    {
        null => null,
        < 0 => null,
        { } ms => TimeSpan.FromMilliseconds(ms),
    };

    /// <summary>Timeouts as a worker applies them: the task's own, else the pool's; -1 for none.</summary>
    private long? RunTimeoutMs(ClusterItem item) => item.Settings?.TimeoutMs switch
    {
        < 0 => null,
        { } ms => ms,
        null => OptionLimits.Limit(_options.TaskTimeout) is { } limit ? (long)limit.TotalMilliseconds : null,
    };

    private int MaxAttempts(ClusterItem item) => item.Settings?.MaxAttempts ?? _options.MaxAttempts;
}
