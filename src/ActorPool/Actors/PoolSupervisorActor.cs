using ActorPool.Messages;
using Akka.Actor;
using Akka.Event;
using Akka.Routing;

namespace ActorPool.Actors;

/// <summary>
/// Owns the queue of waiting tasks, the round-robin router that creates and supervises the
/// workers, and the result aggregator.
/// </summary>
/// <remarks>
/// Tasks reach workers by work pulling, not by routing: an idle worker says
/// <see cref="WorkerReady"/> and the supervisor hands it exactly one task. A router that pushed
/// tasks round-robin would queue short tasks in the mailbox of a worker stuck on a long one
/// while others sit idle, and would spread the queue over many mailboxes where its depth,
/// order and bound could not be seen. The router still creates, supervises and resizes the
/// workers; its strategy restarts only the worker that faulted.
/// </remarks>
internal sealed class PoolSupervisorActor : ReceiveActor, IWithTimers
{
    private const string DeadlineTimer = "shutdown-deadline";

    private readonly WorkerPoolOptions _options;
    private readonly CancellationTokenSource _poolCts;
    private readonly SemaphoreSlim? _room;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>Accepted tasks waiting for a worker, oldest first.</summary>
    private readonly Queue<QueuedTask> _queue = new();

    /// <summary>Idle workers in the order they became idle; <see cref="_idleSet"/> keeps it free of duplicates.</summary>
    private readonly Queue<IActorRef> _idle = new();

    private readonly HashSet<IActorRef> _idleSet = [];

    /// <summary>Every live worker, watched for termination.</summary>
    private readonly HashSet<IActorRef> _workers = [];

    /// <summary>The task each busy worker holds.</summary>
    private readonly Dictionary<IActorRef, RunningTask> _busy = [];

    private readonly List<TaskCompletionSource> _stopWaiters = [];

    private readonly IActorRef _aggregator;
    private IActorRef _router = ActorRefs.Nobody;
    private long _nextId;
    private long _recorded;
    private int _restarts;
    private bool _started;
    private bool _cancelled;
    private bool _stopping;
    private bool _stopped;

    /// <summary>Makes the props of one worker from the supervisor's ref; tests swap in their own workers.</summary>
    private readonly Func<IActorRef, Props> _workerProps;

    public PoolSupervisorActor(WorkerPoolOptions options, CancellationTokenSource poolCts, SemaphoreSlim? room, ResultStore store, Func<IActorRef, Props>? workerProps = null)
    {
        _options = options;
        _workerProps = workerProps ?? (self => WorkerActor.Props(self, options.TimeProvider, poolCts.Token));
        _poolCts = poolCts;
        _room = room;
        _aggregator = Context.ActorOf(ResultAggregatorActor.Props(store), "results");

        Receive<SubmitTask>(HandleSubmit);
        Receive<WorkerReady>(_ => HandleWorkerReady(Sender));
        Receive<TaskFinished>(HandleTaskFinished);
        Receive<WorkerRestarted>(HandleWorkerRestarted);
        Receive<Terminated>(HandleTerminated);
        Receive<StartPool>(_ => HandleStart());
        Receive<CancelPool>(_ => HandleCancel());
        Receive<StopPool>(HandleStop);
        Receive<ForceStop>(_ => HandleForceStop());
        Receive<ShutdownDeadline>(_ => HandleShutdownDeadline());
        Receive<GetPoolState>(HandleGetState);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(WorkerPoolOptions options, CancellationTokenSource poolCts, SemaphoreSlim? room, ResultStore store, Func<IActorRef, Props>? workerProps = null) =>
        Akka.Actor.Props.Create(() => new PoolSupervisorActor(options, poolCts, room, store, workerProps));

    protected override void PreStart()
    {
        // One faulted worker is restarted alone; its siblings keep their tasks.
        var strategy = new OneForOneStrategy(_ => Directive.Restart);
        var workerProps = _workerProps(Self);
        _router = Context.ActorOf(
            workerProps.WithRouter(new RoundRobinPool(_options.Workers).WithSupervisorStrategy(strategy)),
            "workers");
    }

    private void HandleSubmit(SubmitTask submit)
    {
        if (_stopping || _cancelled || _poolCts.IsCancellationRequested)
        {
            ReleaseSlot(submit.HoldsSlot);
            submit.Reply.TrySetException(new SubmitRejectedException(RejectionReason.Stopped));
            return;
        }

        var id = ++_nextId;
        if (!submit.Reply.TrySetResult(id))
        {
            // The caller stopped waiting (its token or the ask timeout): it was told the task
            // was not accepted, so it must not run.
            ReleaseSlot(submit.HoldsSlot);
            return;
        }

        _queue.Enqueue(new QueuedTask(id, submit.Item, submit.HoldsSlot));
        Dispatch();
    }

    private void HandleWorkerReady(IActorRef worker)
    {
        if (_workers.Add(worker))
        {
            Context.Watch(worker);
        }

        if (_busy.Remove(worker, out var running) && !running.Recorded)
        {
            Record(NeverFinished(running, TaskOutcome.Failed, new InvalidOperationException("The worker dropped the task without an outcome.")), running.Item);
        }

        MakeIdle(worker);
        Dispatch();
        CompleteStopIfDrained();
    }

    private void HandleTaskFinished(TaskFinished finished)
    {
        var worker = Sender;
        if (_busy.TryGetValue(worker, out var running) && running.TaskId == finished.Result.TaskId && !running.Recorded)
        {
            running.Recorded = true;
            Record(finished.Result, running.Item);
        }

        if (finished.WorkerFree)
        {
            _busy.Remove(worker);
            MakeIdle(worker);
            Dispatch();
        }

        CompleteStopIfDrained();
    }

    private void HandleWorkerRestarted(WorkerRestarted restarted)
    {
        _restarts++;
        var worker = Sender;
        _log.Warning("Worker {0} restarted after {1}: {2}", worker.Path.Name, restarted.Cause.GetType().Name, restarted.Cause.Message);
        if (_busy.Remove(worker, out var running) && !running.Recorded)
        {
            Record(NeverFinished(running, TaskOutcome.Failed, restarted.Cause), running.Item);
        }

        HandleWorkerReady(worker);
    }

    private void HandleTerminated(Terminated terminated)
    {
        var worker = terminated.ActorRef;
        _workers.Remove(worker);
        if (_busy.Remove(worker, out var running) && !running.Recorded)
        {
            Record(NeverFinished(running, TaskOutcome.Failed, new InvalidOperationException("The worker running the task stopped.")), running.Item);
        }

        CompleteStopIfDrained();
    }

    private void HandleStart()
    {
        if (_started)
        {
            return;
        }

        _started = true;
        Dispatch();
    }

    private void HandleCancel()
    {
        if (_cancelled)
        {
            return;
        }

        _cancelled = true;
        _log.Info("Start token cancelled: {0} queued tasks cancelled, {1} running tasks signalled", _queue.Count, _busy.Count);
        CancelQueued("The pool's start token was cancelled before the task started.");
        CompleteStopIfDrained();
    }

    private void HandleStop(StopPool stop)
    {
        _stopWaiters.Add(stop.Completion);
        if (_stopped)
        {
            FlushThenComplete();
            return;
        }

        if (_stopping)
        {
            return;
        }

        _stopping = true;
        if (!_started)
        {
            CancelQueued("The pool was stopped before it was started.");
        }

        Timers.StartSingleTimer(DeadlineTimer, ShutdownDeadline.Instance, _options.ShutdownTimeout);
        CompleteStopIfDrained();
    }

    private void HandleForceStop()
    {
        if (_stopped)
        {
            return;
        }

        _stopping = true;
        _poolCts.Cancel();
        CancelQueued("The pool was stopped without waiting for queued tasks.");
        AbandonRunning(TaskOutcome.Cancelled, () => new OperationCanceledException("The pool was stopped before the task finished."));
        CompleteStopIfDrained();
    }

    private void HandleShutdownDeadline()
    {
        if (_stopped)
        {
            return;
        }

        _log.Warning("Shutdown timeout of {0} reached: {1} running tasks recorded as timed out, {2} queued tasks cancelled", _options.ShutdownTimeout, _busy.Count, _queue.Count);
        _poolCts.Cancel();
        CancelQueued($"The pool's shutdown timeout of {_options.ShutdownTimeout} passed before the task started.");
        AbandonRunning(TaskOutcome.TimedOut, () => new TimeoutException($"The task was still running when the pool's shutdown timeout of {_options.ShutdownTimeout} passed."));
        CompleteStopIfDrained();
    }

    private void HandleGetState(GetPoolState get) =>
        get.Reply.TrySetResult(new PoolState(_workers.Count, _busy.Count, _queue.Count, _nextId, _recorded, _restarts, _router));

    /// <summary>Hands queued tasks to idle workers until one of the two runs out.</summary>
    private void Dispatch()
    {
        if (!_started || _cancelled)
        {
            return;
        }

        if (_poolCts.IsCancellationRequested)
        {
            // The start token fired and its CancelPool message is still on its way: no queued
            // task may start after the token was cancelled.
            HandleCancel();
            return;
        }

        while (_queue.Count > 0 && TryTakeIdle(out var worker))
        {
            var queued = _queue.Dequeue();
            ReleaseSlot(queued.HoldsSlot);
            if (queued.Item.CallerToken.IsCancellationRequested)
            {
                MakeIdle(worker);
                Record(NeverStarted(queued, TaskOutcome.Cancelled, new OperationCanceledException(queued.Item.CallerToken)), queued.Item);
                continue;
            }

            var timeout = queued.Item.Timeout ?? _options.TaskTimeout;
            _busy[worker] = new RunningTask(queued.Id, queued.Item, _options.TimeProvider);
            worker.Tell(new RunTask(queued.Id, queued.Item, timeout));
        }
    }

    private bool TryTakeIdle(out IActorRef worker)
    {
        while (_idle.Count > 0)
        {
            worker = _idle.Dequeue();
            _idleSet.Remove(worker);
            if (_workers.Contains(worker) && !_busy.ContainsKey(worker))
            {
                return true;
            }
        }

        worker = ActorRefs.Nobody;
        return false;
    }

    private void MakeIdle(IActorRef worker)
    {
        if (_workers.Contains(worker) && _idleSet.Add(worker))
        {
            _idle.Enqueue(worker);
        }
    }

    private void CancelQueued(string why)
    {
        while (_queue.TryDequeue(out var queued))
        {
            ReleaseSlot(queued.HoldsSlot);
            Record(NeverStarted(queued, TaskOutcome.Cancelled, new OperationCanceledException(why)), queued.Item);
        }
    }

    private void AbandonRunning(TaskOutcome outcome, Func<Exception> error)
    {
        foreach (var running in _busy.Values)
        {
            if (!running.Recorded)
            {
                running.Recorded = true;
                Record(NeverFinished(running, outcome, error()), running.Item);
            }
        }
    }

    private void CompleteStopIfDrained()
    {
        if (!_stopping || _stopped || _queue.Count > 0)
        {
            return;
        }

        foreach (var running in _busy.Values)
        {
            if (!running.Recorded)
            {
                return;
            }
        }

        _stopped = true;
        Timers.Cancel(DeadlineTimer);
        _log.Debug("Pool drained: {0} tasks accepted, {1} outcomes recorded", _nextId, _recorded);
        FlushThenComplete();
    }

    private void FlushThenComplete()
    {
        // The aggregator completes the flush after every outcome sent before it is stored,
        // so a stopped pool's results are complete.
        foreach (var waiter in _stopWaiters)
        {
            _aggregator.Tell(new FlushOutcomes(waiter));
        }

        _stopWaiters.Clear();
    }

    private void Record(TaskResult result, WorkItem item)
    {
        _recorded++;
        _aggregator.Tell(new RecordOutcome(result, item));
    }

    private void ReleaseSlot(bool holdsSlot)
    {
        if (holdsSlot)
        {
            _room?.Release();
        }
    }

    private TaskResult NeverStarted(QueuedTask queued, TaskOutcome outcome, Exception error) =>
        new(queued.Id, outcome, error, TimeSpan.Zero, _options.TimeProvider.GetUtcNow(), Attempts: 0) { Key = queued.Item.Key };

    private TaskResult NeverFinished(RunningTask running, TaskOutcome outcome, Exception error) =>
        new(running.TaskId, outcome, error, _options.TimeProvider.GetElapsedTime(running.StartTimestamp), running.StartedAt, Attempts: 1) { Key = running.Item.Key };

    private readonly record struct QueuedTask(long Id, WorkItem Item, bool HoldsSlot);

    /// <summary>A task a worker holds; <see cref="Recorded"/> turns true once its outcome is sent.</summary>
    private sealed class RunningTask(long taskId, WorkItem item, TimeProvider time)
    {
        public long TaskId { get; } = taskId;

        public WorkItem Item { get; } = item;

        public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

        public long StartTimestamp { get; } = time.GetTimestamp();

        public bool Recorded { get; set; }
    }
}
