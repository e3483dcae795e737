using ActorPool.Actors.Supervision;
using ActorPool.Admission;
using ActorPool.Messages;
using ActorPool.Outcomes;
using ActorPool.Work;
using Akka.Actor;
using Akka.Event;
using Inbox = ActorPool.Admission.Inbox;

namespace ActorPool.Cluster;

/// <summary>What a node's front shares with its engine.</summary>
internal sealed class FrontContext
{
    public required Inbox Inbox { get; init; }

    public required AdmissionGate Gate { get; init; }

    public required OutcomeRecorder Recorder { get; init; }

    public required IActorRef Proxy { get; init; }

    public required TimeSpan AskTimeout { get; init; }

    /// <summary>The bytes one message may carry (<see cref="WireBudget"/>).</summary>
    public required int WireBudget { get; init; }

    /// <summary>The latest figures the supervisor sent; null until the first arrive.</summary>
    public ClusterFigures? Figures
    {
        get => Volatile.Read(ref _figures);
        set => Volatile.Write(ref _figures, value);
    }

    private ClusterFigures? _figures;

    /// <summary>The node of the supervisor this front registered with; null until it has.</summary>
    public string? SupervisorNode
    {
        get => Volatile.Read(ref _supervisorNode);
        set => Volatile.Write(ref _supervisorNode, value);
    }

    private string? _supervisorNode;
}

/// <summary>
/// A node's way into a clustered pool. It takes the tasks the node's admission gate accepted,
/// hands them to the supervisor singleton through its proxy in batches, records their outcomes
/// for this node's callers, and keeps every task it handed over until that task has an outcome:
/// should the supervisor be lost with its node, the front submits those tasks again to the new one.
/// </summary>
internal sealed class ClusterFrontActor : ReceiveActor, IWithTimers
{
    // Keeps the ids of an answer well inside the frame too.
    private const int MaxBatch = 2048;
    private const string RegisterTimer = "register";

    private static readonly TimeSpan RegisterInterval = TimeSpan.FromMilliseconds(500);

    private readonly FrontContext _context;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>Batches handed to the supervisor and not answered yet, by correlation.</summary>
    private readonly Dictionary<long, NamedItem[]> _inflight = [];

    /// <summary>Tasks the supervisor accepted that have no outcome yet, by id.</summary>
    private readonly Dictionary<long, NamedItem> _pending = [];

    /// <summary>Outcomes of this front's tasks, by the front's own sequence, for <c>WaitAsync</c>.</summary>
    private readonly SettlementLedger _ledger = new();
    private readonly List<TaskCompletionSource> _released = [];

    /// <summary>Registrations on the tokens of this front's <c>RunAsync</c> callers, by the front's sequence, until their tasks settle.</summary>
    private readonly Dictionary<long, CancellationTokenRegistration> _callerTokens = [];

    /// <summary>Whether the supervisor must say when tasks start: only a bounded gate counts waiting tasks.</summary>
    private readonly bool _tellStarts;

    private IActorRef? _supervisor;
    private long _correlation;

    public ClusterFrontActor(FrontContext context)
    {
        _context = context;
        _tellStarts = context.Gate.IsBounded;
        Receive<DrainInbox>(_ => TakeIn());
        Receive<TasksAccepted>(HandleAccepted);
        Receive<TasksRunning>(HandleRunning);
        Receive<CallerCancelled>(cancelled => HandleCallerCancelled(cancelled.Item));
        Receive<TasksRefused>(refused => Refuse(refused.Correlation, new SubmitRejectedException(refused.Reason, refused.Message)));
        Receive<AskExpired>(expired => Refuse(expired.Correlation, new TimeoutException($"The pool's supervisor did not answer within AskTimeout ({_context.AskTimeout}); the task may still run.")));
        Receive<TaskOutcomes>(HandleOutcomes);
        Receive<FrontRegistered>(HandleRegistered);
        Receive<Terminated>(HandleTerminated);
        Receive<RegisterTick>(_ => _context.Proxy.Tell(new RegisterFront(Self)));
        Receive<ClusterFigures>(figures => _context.Figures = figures);
        Receive<AwaitFront>(HandleAwait);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(FrontContext context) => Akka.Actor.Props.Create(() => new ClusterFrontActor(context));

    protected override void PreStart()
    {
        _context.Proxy.Tell(new RegisterFront(Self));
        Timers.StartPeriodicTimer(RegisterTimer, RegisterTick.Instance, RegisterInterval);
    }

    protected override void PostStop()
    {
        foreach (var registration in _callerTokens.Values)
        {
            registration.Dispose();
        }

        _callerTokens.Clear();
    }

    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        finally
        {
            foreach (var waiter in _released)
            {
                waiter.TrySetResult();
            }

            _released.Clear();
        }
    }

    private void TakeIn()
    {
        _context.Inbox.Rearm();
        var batch = new List<NamedItem>();
        var bytes = 0;
        while (_context.Inbox.TryTake(out var next))
        {
            var item = (NamedItem)next;
            if (!item.TryMove(ItemState.Inbox, ItemState.Queued))
            {
                _ledger.Withdrawn(item.Id, _released); // its submitter took it back: the front closed first
                continue;
            }

            _ledger.Accept(item);
            item.LocalSeq = item.Id;
            WatchCallerToken(item);
            var size = Size(item);
            if (batch.Count == MaxBatch || (batch.Count > 0 && bytes + size > _context.WireBudget))
            {
                Send([.. batch]);
                batch.Clear();
                bytes = 0;
            }

            batch.Add(item);
            bytes += size;
        }

        if (batch.Count > 0)
        {
            Send([.. batch]);
        }
    }

    /// <summary>Hands a batch to the supervisor; the proxy holds it while the singleton is being found.</summary>
    private void Send(NamedItem[] items, long? correlation = null)
    {
        var id = correlation ?? ++_correlation;
        _inflight[id] = items;
        var deadline = DateTimeOffset.UtcNow.Add(OptionLimits.Cap(_context.AskTimeout)).ToUnixTimeMilliseconds();
        var wire = items.Select(item => new WireSubmit(item.Acceptance is { Task.IsCompleted: true } ? item.Id : 0, item.Handler.Name, item.Payload, WireOptions.From(item.Options), item.Attempts)).ToArray();
        _context.Proxy.Tell(new SubmitTasks(Self, id, deadline, wire, _tellStarts));
        if (correlation is null)
        {
            Timers.StartSingleTimer(("ask", id), new AskExpired(id), OptionLimits.Cap(_context.AskTimeout));
        }
    }

    private static int Size(NamedItem item) => WireBudget.Size(item.Handler.Name, item.Payload, item.Options?.Id);

    private void HandleAccepted(TasksAccepted accepted)
    {
        if (!_inflight.Remove(accepted.Correlation, out var items))
        {
            return; // answered too late: its callers were told it timed out
        }

        Timers.Cancel(("ask", accepted.Correlation));
        List<long>? cancelled = null;
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            item.Id = accepted.Ids[i];
            if (accepted.Joined?[i] == true)
            {
                // It joined a task by its key: it waits for that task, not in the queue.
                _context.Gate.ReleaseSlot(item);
                if (_pending.TryGetValue(item.Id, out var holder) && !ReferenceEquals(holder, item))
                {
                    (holder.Joiners ??= []).Add(item);
                    item.Acceptance?.TrySetResult(item.Id);
                    continue;
                }
            }

            _pending[item.Id] = item;
            item.Acceptance?.TrySetResult(item.Id);
            if (item.CallerToken.IsCancellationRequested)
            {
                (cancelled ??= []).Add(item.Id); // cancelled before the supervisor knew it, or asked again after a failover
            }
        }

        if (cancelled is not null)
        {
            _context.Proxy.Tell(new CancelTasks([.. cancelled]));
        }
    }

    /// <summary>Tasks of this front started: they no longer wait, so their queue slots are free.</summary>
    private void HandleRunning(TasksRunning running)
    {
        foreach (var id in running.Ids)
        {
            if (_pending.TryGetValue(id, out var item))
            {
                _context.Gate.ReleaseSlot(item);
            }
        }
    }

    /// <summary>A <c>RunAsync</c> caller's token will cancel its task while it waits, as on a local pool.</summary>
    private void WatchCallerToken(NamedItem item)
    {
        if (!item.CallerToken.CanBeCanceled)
        {
            return;
        }

        var self = Self;
        _callerTokens[item.LocalSeq] = item.CallerToken.UnsafeRegister(
            static state =>
            {
                var (front, cancelled) = ((IActorRef, NamedItem))state!;
                front.Tell(new CallerCancelled(cancelled), ActorRefs.NoSender);
            },
            (self, item));
    }

    private void HandleCallerCancelled(NamedItem item)
    {
        // Not accepted yet: HandleAccepted sees the token and asks then.
        if (item.Acceptance is { Task.IsCompletedSuccessfully: true } && _pending.TryGetValue(item.Id, out var pending) && ReferenceEquals(pending, item))
        {
            _context.Proxy.Tell(new CancelTasks([item.Id]));
        }
    }

    private void ForgetCallerToken(NamedItem item)
    {
        if (_callerTokens.Remove(item.LocalSeq, out var registration))
        {
            registration.Dispose();
        }
    }

    private void Refuse(long correlation, Exception error)
    {
        if (!_inflight.Remove(correlation, out var items))
        {
            return;
        }

        Timers.Cancel(("ask", correlation));
        foreach (var item in items)
        {
            _context.Gate.CountWithdrawn();
            _context.Gate.ReleaseSlot(item);
            _ledger.Withdrawn(item.LocalSeq, _released);
            ForgetCallerToken(item);
            item.Acceptance?.TrySetException(error);
        }
    }

    private void HandleOutcomes(TaskOutcomes outcomes)
    {
        var time = _context.Recorder.Time;
        foreach (var outcome in outcomes.Outcomes)
        {
            if (!_pending.Remove(outcome.Id, out var item))
            {
                continue; // not ours, or already settled (a task submitted again after a failover)
            }

            Settle(item, outcome, time);
            foreach (var joiner in item.Joiners ?? [])
            {
                Settle(joiner, outcome, time);
            }
        }
    }

    private void Settle(NamedItem item, WireOutcome outcome, TimeProvider time)
    {
        item.RanRemotely(outcome.Result, outcome.Node);
        item.Attempts = outcome.Attempts;
        var ran = outcome.Outcome is TaskOutcome.Succeeded or TaskOutcome.Failed || outcome.DurationTicks > 0;
        item.StartTimestamp = time.GetTimestamp() - (long)(outcome.DurationTicks / (double)TimeSpan.TicksPerSecond * time.TimestampFrequency);
        _context.Recorder.TrySettle(item, ItemState.Queued, outcome.Outcome, OutcomeErrors.FromRecord(outcome.Outcome, outcome.ErrorType, outcome.ErrorMessage), ran);
        _context.Gate.ReleaseSlot(item);
        ForgetCallerToken(item);
        _ledger.Settle(item.LocalSeq, _released);
    }

    private void HandleRegistered(FrontRegistered registered)
    {
        var first = _supervisor is null;
        if (_supervisor is not null && _supervisor.Equals(Sender))
        {
            return;
        }

        _supervisor = Sender;
        _context.SupervisorNode = registered.SupervisorNode;
        Context.Watch(_supervisor);
        Timers.Cancel(RegisterTimer);
        if (!first || _pending.Count > 0)
        {
            _log.Info("Pool supervisor now on {0}: submitting {1} unfinished and {2} unanswered tasks again", registered.SupervisorNode, _pending.Count, _inflight.Values.Sum(b => b.Length));
            ResubmitAll();
        }

        // Behind the resubmits on the same path: the supervisor then holds every key this front waits for.
        _context.Proxy.Tell(new FrontResubmitted(Self));
    }

    /// <summary>The supervisor was lost with what it held: hand every unfinished task to the new one, keeping its id.</summary>
    private void ResubmitAll()
    {
        foreach (var chunk in WireBudget.Chunks([.. _pending.Values], Size, _context.WireBudget, MaxBatch))
        {
            var id = ++_correlation;
            _inflight[id] = chunk;
            var deadline = DateTimeOffset.UtcNow.Add(OptionLimits.Cap(_context.AskTimeout)).ToUnixTimeMilliseconds();
            var wire = chunk.Select(item => new WireSubmit(item.Id, item.Handler.Name, item.Payload, WireOptions.From(item.Options), item.Attempts)).ToArray();
            _context.Proxy.Tell(new SubmitTasks(Self, id, deadline, wire, _tellStarts));
        }

        foreach (var (correlation, items) in _inflight.ToList())
        {
            if (items.All(item => !_pending.ContainsKey(item.Id) || item.Acceptance is not { Task.IsCompleted: true }))
            {
                Send(items, correlation);
            }
        }
    }

    private void HandleTerminated(Terminated terminated)
    {
        if (!terminated.ActorRef.Equals(_supervisor))
        {
            return;
        }

        _log.Warning("Pool supervisor on {0} is gone; {1} tasks wait for its successor", terminated.ActorRef.Path.Address, _pending.Count);
        _supervisor = ActorRefs.Nobody;
        Timers.StartPeriodicTimer(RegisterTimer, RegisterTick.Instance, RegisterInterval);
    }

    private void HandleAwait(AwaitFront wait)
    {
        TakeIn();
        if (!_ledger.AddWaiter(wait.LastId, wait.Completion))
        {
            _released.Add(wait.Completion);
        }
    }

    /// <summary>The token of a <c>RunAsync</c> caller of this front fired.</summary>
    private sealed record CallerCancelled(NamedItem Item) : INoSerializationVerificationNeeded;

    /// <summary>Nobody answered a batch within the ask timeout.</summary>
    private sealed record AskExpired(long Correlation) : INoSerializationVerificationNeeded;

    /// <summary>Time to look for the supervisor again.</summary>
    private sealed class RegisterTick : INoSerializationVerificationNeeded
    {
        public static readonly RegisterTick Instance = new();
    }
}

/// <summary>Completes once every task of this front with a sequence number up to <paramref name="LastId"/> has an outcome.</summary>
internal sealed record AwaitFront(TaskCompletionSource Completion, long LastId) : INoSerializationVerificationNeeded;
