using ActorPool.Actors.Supervision;
using ActorPool.Messages;
using ActorPool.Work;
using Akka.Actor;
using Akka.Event;
using Akka.Routing;

namespace ActorPool.Actors;

/// <summary>
/// Owns the queue of waiting tasks, the round-robin router that creates and supervises the
/// workers, and the result aggregator; decides which task runs where and when. What it decides
/// lives in small state objects (<see cref="Supervision"/>); this actor only receives, tells and
/// keeps timers, and its phases are behaviours: waiting for a start, running, stopping, stopped.
/// </summary>
/// <remarks>
/// <para>Tasks reach workers by work pulling, not by routing: an idle worker is handed work only
/// when it said it was free. A router that pushed tasks round-robin would queue short tasks behind
/// long ones while other workers sit idle, and would spread the queue over mailboxes where its
/// depth, order, priority and bound could not be seen. The router still creates, supervises and
/// resizes the workers; its strategy restarts only the worker that faulted.</para>
/// <para>Workers settle what they run; the supervisor settles what never runs (dropped, expired,
/// cancelled, failed fast, abandoned at a stop) and counts every settlement once, for stops and
/// <c>WaitAsync</c>. No user code runs here; should a bug of ours throw anyway, the message is
/// logged and dropped and the supervisor resumes with its state (see <see cref="AroundReceive"/>).</para>
/// </remarks>
internal sealed partial class PoolSupervisorActor : ReceiveActor, IWithTimers
{
    private const string DeadlineTimer = "shutdown-deadline";
    private const string ResizeTimer = "resize";
    private const string StealTimer = "steal";
    private const string ExpiryTimer = "expiry";

    /// <summary>How often idle workers look for tasks waiting behind a long one in another batch.</summary>
    private static readonly TimeSpan StealInterval = TimeSpan.FromMilliseconds(10);

    private readonly PoolRuntime _runtime;
    private readonly WorkerPoolOptions _options;
    private readonly WorkerContext _workerContext;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private readonly TaskQueue _queue;
    private readonly WorkerRoster _roster;
    private readonly RetrySchedule _retries;
    private readonly SettlementLedger _ledger = new();
    private readonly StopState _stop = new();
    private readonly BatchSizer _sizer = new();
    private readonly QueueExpiry _expiry;
    private readonly ResizeDecision? _resizer;
    private readonly CircuitBreakerState? _breaker;
    private readonly StartRate? _startRate;

    /// <summary>Per-key concurrency; null when the pool sets no limits.</summary>
    private readonly KeyLimits? _keyLimits;

    /// <summary>Whether every start needs its own decision, so tasks go out one at a time.</summary>
    private readonly bool _decidePerStart;

    /// <summary><c>WaitAsync</c> and stop callers to complete once the current message is handled.</summary>
    private readonly List<TaskCompletionSource> _released = [];
    private readonly List<WorkItem> _expired = [];
    private readonly List<WorkItem> _due = [];

    /// <summary>Tasks waiting for their time (<see cref="TaskOptions.NotBefore"/>, <see cref="TaskOptions.Delay"/>).</summary>
    private readonly DelayedTasks _delayed;

    /// <summary>A durable pool's drain has begun: delayed tasks are set aside for the journal, not held.</summary>
    private bool _delaysStopped;

    /// <summary>Tasks with a queue timeout taken in before any worker was ready; their wait counts from then.</summary>
    private readonly List<WorkItem> _waitingForReady = [];

    private readonly IActorRef _aggregator;
    private IActorRef _router = ActorRefs.Nobody;
    private bool _started;
    private bool _stealTimerOn;

    public PoolSupervisorActor(PoolRuntime runtime)
    {
        _runtime = runtime;
        _options = runtime.Options;
        _workerContext = runtime.CreateWorkerContext();
        _queue = new TaskQueue(_options.EnablePriority);
        _roster = new WorkerRoster(_options.Workers);
        var self = Self;
        _retries = new RetrySchedule(_options.RetryBackoff, OptionLimits.Cap(_options.MaxRetryBackoff), time: _options.TimeProvider, onDue: id => self.Tell(new RetryDue(id), ActorRefs.NoSender));
        _expiry = new QueueExpiry(_options.TimeProvider);
        _resizer = _options.Resizer is { } resizer ? new ResizeDecision(resizer) : null;
        _breaker = _options.CircuitBreaker is { } breaker ? new CircuitBreakerState(breaker, _options.TimeProvider) : null;
        _startRate = _options.TasksPerSecond is { } rate ? new StartRate(rate, _options.RateBurst) : null;
        _keyLimits = KeyLimits.For(_options);
        _decidePerStart = _options.EnablePriority || _startRate is not null || _breaker is not null;
        _delayed = new DelayedTasks(_options.TimeProvider, () => self.Tell(DelaysDue.Instance, ActorRefs.NoSender));
        _aggregator = Context.ActorOf(ResultAggregatorActor.Props(_options.OnTaskCompleted), "results");
        runtime.Recorder.Aggregator = _aggregator;
        Become(Waiting);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(PoolRuntime runtime) => Akka.Actor.Props.Create(() => new PoolSupervisorActor(runtime));

    protected override void PreStart()
    {
        _workerContext.Supervisor = Self;

        // One faulted worker is restarted alone; its siblings keep their tasks.
        var strategy = new OneForOneStrategy(_ => Directive.Restart);
        var workerProps = _runtime.WorkerProps(_workerContext);
        if (_options.Dispatcher is { Length: > 0 } dispatcher)
        {
            workerProps = workerProps.WithDispatcher(dispatcher);
        }

        _router = Context.ActorOf(workerProps.WithRouter(new RoundRobinPool(_options.Workers).WithSupervisorStrategy(strategy)), "workers");
        if (_options.Resizer is { } resizer)
        {
            Timers.StartPeriodicTimer(ResizeTimer, ResizeTick.Instance, resizer.Interval);
        }
    }

    protected override void PostStop()
    {
        AbandonAll();
        _delayed.StopTimer();
        _retries.StopTimers();
        _startRate?.Dispose();
        _runtime.Counters.Publish(0, _roster.Target, 0, 0, circuitOpen: false, waitingForKey: 0, delayed: 0);
    }

    /// <summary>
    /// Resumes after a fault of our own: the message is logged and dropped, the state stays. No
    /// user code runs in this actor, so anything thrown here is a bug; a restart would lose the
    /// queue and every waiter, which is worse than losing one message.
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception ex)
        {
            _log.Error(ex, "Pool {0}: handling {1} failed; resuming with the state kept", _runtime.Name, message.GetType().Name);
            return true;
        }
        finally
        {
            _runtime.Counters.Publish(_roster.Live, _roster.Target, _roster.Busy, WaitingCount, _breaker is { Phase: not BreakerPhase.Closed }, _keyLimits?.AsideCount ?? 0, _delayed.Count);
            foreach (var waiter in _released)
            {
                // Through the aggregator, so callbacks of the outcomes waited for have run.
                _aggregator.Tell(new FlushOutcomes(waiter));
            }

            _released.Clear();
        }
    }

    /// <summary>Created, not started: tasks are taken in and wait.</summary>
    private void Waiting()
    {
        Receive<StartPool>(_ =>
        {
            _started = true;
            Become(Running);
            Dispatch();
        });
        Receive<StopPool>(stop =>
        {
            TakeIn();
            Cancel("The pool was stopped before it was started.");
            BeginStop(stop);
        });
        Common();
    }

    /// <summary>Started: tasks are handed to workers as they free up.</summary>
    private void Running()
    {
        Receive<StartPool>(_ => { });
        Receive<StopPool>(stop =>
        {
            TakeIn();
            BeginStop(stop);
        });
        Common();
    }

    /// <summary>Stopping: no task is accepted any more; what was accepted drains until the deadline.</summary>
    private void Stopping()
    {
        Receive<StartPool>(_ => { });
        Receive<StopPool>(stop =>
        {
            _stop.Request(stop.Completion);
            TryFinishStop();
        });
        Receive<ShutdownDeadline>(_ => HandleShutdownDeadline());
        Common();
    }

    /// <summary>Stopped: every accepted task has its outcome; late messages are answered or ignored.</summary>
    private void Stopped()
    {
        Receive<DrainInbox>(_ => DiscardInbox());
        Receive<StopPool>(stop => _released.Add(stop.Completion));
        Receive<AwaitOutcomes>(wait => _released.Add(wait.Completion));
        Receive<GetPoolState>(HandleGetState);
        Receive<CancelTask>(cancel => cancel.Reply.TrySetResult(false));
        Receive<ListPending>(list => list.Reply.TrySetResult([]));
        Receive<BatchDone>(_ => ReleaseWorker(Sender));
        Receive<Terminated>(terminated => _roster.Leave(terminated.ActorRef, out _));
        ReceiveAny(_ => { });
    }

    private void Common()
    {
        Receive<DrainInbox>(_ =>
        {
            TakeIn();
            Dispatch();
            TryFinishStop();
        });
        Receive<BatchDone>(HandleBatchDone);
        Receive<IdsAfter>(ids => _ledger.StartAfter(ids.LastId));
        Receive<WorkerReady>(_ => HandleWorkerReady());
        Receive<WorkerRestarted>(HandleWorkerRestarted);
        Receive<Terminated>(HandleTerminated);
        Receive<TaskSettled>(settled =>
        {
            CountSettled(settled.Item);
            TryFinishStop();
        });
        Receive<ExpiryTick>(_ => HandleExpiry());
        Receive<RetryDue>(HandleRetryDue);
        Receive<DelaysDue>(_ => HandleDelaysDue());
        Receive<StopDelays>(_ =>
        {
            _delaysStopped = true;
            TakeIn();
            AbandonDelayed();
            TryFinishStop();
        });
        Receive<RateTokenReady>(HandleRateTokenReady);
        Receive<StealTick>(_ => Dispatch());
        Receive<CancelPool>(_ => HandleCancel());
        Receive<ForceStop>(_ => HandleForceStop());
        Receive<ResizePool>(resize => Resize(resize.Workers));
        Receive<ResizeTick>(_ => HandleResizeTick());
        Receive<AwaitOutcomes>(HandleAwaitOutcomes);
        Receive<GetPoolState>(HandleGetState);
        Receive<CancelTask>(HandleCancelTask);
        Receive<ListPending>(HandleListPending);
    }
}
