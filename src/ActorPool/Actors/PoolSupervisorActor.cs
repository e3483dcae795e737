using System.Threading.RateLimiting;
using ActorPool.Messages;
using Akka.Actor;
using Akka.Event;
using Akka.Routing;

namespace ActorPool.Actors;

/// <summary>
/// Owns the queue of waiting tasks, the round-robin router that creates and supervises the
/// workers, and the result aggregator; decides when and whether each task starts.
/// </summary>
/// <remarks>
/// <para>Tasks reach workers by work pulling, not by routing: an idle worker says
/// <see cref="WorkerReady"/> and the supervisor hands it exactly one task. A router that pushed
/// tasks round-robin would queue short tasks in the mailbox of a worker stuck on a long one
/// while others sit idle, and would spread the queue over many mailboxes where its depth,
/// order, priority and bound could not be seen. The router still creates, supervises and
/// resizes the workers; its strategy restarts only the worker that faulted.</para>
/// <para>Every accepted task ends in exactly one <see cref="Record"/>: finished, dropped,
/// expired in the queue, failed fast by the breaker, cancelled or abandoned at a stop.</para>
/// </remarks>
internal sealed class PoolSupervisorActor : ReceiveActor, IWithTimers
{
    private const string DeadlineTimer = "shutdown-deadline";
    private const string ResizeTimer = "resize";

    /// <summary>The most tasks handed to one worker at once.</summary>
    private const int MaxBatch = 32;

    /// <summary>Tasks that run shorter than this on average (100 µs) are handed out in batches.</summary>
    private const double TinyTaskTicks = 1_000;

    private readonly WorkerPoolOptions _options;
    private readonly CancellationTokenSource _poolCts;
    private readonly SemaphoreSlim? _room;
    private readonly PoolCounters _counters;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>Accepted tasks waiting for a worker.</summary>
    private readonly TaskQueue _queue;

    /// <summary>Waiting tasks that have a queue timeout, by id, for their expiry timer.</summary>
    private readonly Dictionary<long, QueuedTask> _expiring = [];

    /// <summary>Failed tasks waiting out their retry backoff, by id.</summary>
    private readonly Dictionary<long, PendingRetry> _retrying = [];

    /// <summary>Idle workers in the order they became idle; <see cref="_idleSet"/> keeps it free of duplicates.</summary>
    private readonly Queue<IActorRef> _idle = new();

    private readonly HashSet<IActorRef> _idleSet = [];

    /// <summary>Every live worker, watched for termination.</summary>
    private readonly HashSet<IActorRef> _workers = [];

    /// <summary>Workers leaving after a shrink; they take no new task.</summary>
    private readonly HashSet<IActorRef> _retiring = [];

    /// <summary>The tasks each busy worker holds, in the order it runs them: the first is running.</summary>
    private readonly Dictionary<IActorRef, List<RunningTask>> _assigned = [];

    private readonly List<TaskCompletionSource> _stopWaiters = [];
    private readonly List<OutcomeWaiter> _outcomeWaiters = [];

    /// <summary>Callers to complete once the current message is handled; see <see cref="HandOverCompletions"/>.</summary>
    private List<(Action<TaskResult> Complete, TaskResult Result)> _completions = [];

    private readonly CircuitBreakerState? _breaker;
    private readonly RateLimiter? _limiter;

    /// <summary>Makes the props of one worker from the supervisor's ref; tests swap in their own workers.</summary>
    private readonly Func<IActorRef, Props> _workerProps;

    private readonly ResultStore _store;
    private readonly IActorRef _aggregator;
    private IActorRef _router = ActorRefs.Nobody;
    private long _accepted;
    private long _recorded;

    /// <summary>Workers wanted: created or being created, not counting retiring ones.</summary>
    private int _target;

    /// <summary>Retirements a shrink could not place yet because the workers had not announced themselves.</summary>
    private int _owedRetirements;

    private bool _idleAtLastTick;

    /// <summary>A moving average of how long tasks run; starts high so the first tasks go one by one.</summary>
    private double _meanRunTicks = TimeSpan.TicksPerSecond;
    private bool _awaitingStartToken;
    private bool _holdsStartToken;
    private bool _started;
    private bool _cancelled;
    private bool _stopping;
    private bool _stopped;

    public PoolSupervisorActor(
        WorkerPoolOptions options,
        CancellationTokenSource poolCts,
        SemaphoreSlim? room,
        ResultStore store,
        PoolCounters counters,
        Func<IActorRef, Props>? workerProps = null)
    {
        _options = options;
        _workerProps = workerProps ?? (self => WorkerActor.Props(self, options.TimeProvider, poolCts.Token));
        _poolCts = poolCts;
        _room = room;
        _counters = counters;
        _target = options.Workers;
        _queue = new TaskQueue(options.EnablePriority);
        _breaker = options.CircuitBreaker is { } breaker ? new CircuitBreakerState(breaker, options.TimeProvider) : null;
        _limiter = options.TasksPerSecond is { } rate ? CreateLimiter(rate, options.RateBurst) : null;
        _store = store;
        _aggregator = Context.ActorOf(ResultAggregatorActor.Props(store), "results");

        Receive<SubmitTask>(HandleSubmit);
        Receive<SubmitBatch>(HandleSubmitBatch);
        Receive<WorkerReady>(_ => HandleWorkerReady(Sender));
        Receive<TaskFinished>(HandleTaskFinished);
        Receive<TasksFinished>(HandleTasksFinished);
        Receive<SlotFreed>(HandleSlotFreed);
        Receive<WorkerRestarted>(HandleWorkerRestarted);
        Receive<Terminated>(HandleTerminated);
        Receive<StartPool>(_ => HandleStart());
        Receive<CancelPool>(_ => HandleCancel());
        Receive<StopPool>(HandleStop);
        Receive<ForceStop>(_ => HandleForceStop());
        Receive<ShutdownDeadline>(_ => HandleShutdownDeadline());
        Receive<RetryDue>(HandleRetryDue);
        Receive<QueueExpired>(HandleQueueExpired);
        Receive<RateTokenReady>(HandleRateTokenReady);
        Receive<ResizePool>(resize => Resize(resize.Workers));
        Receive<ResizeTick>(_ => HandleResizeTick());
        Receive<AwaitOutcomes>(HandleAwaitOutcomes);
        Receive<GetPoolState>(HandleGetState);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(
        WorkerPoolOptions options,
        CancellationTokenSource poolCts,
        SemaphoreSlim? room,
        ResultStore store,
        PoolCounters counters,
        Func<IActorRef, Props>? workerProps = null) =>
        Akka.Actor.Props.Create(() => new PoolSupervisorActor(options, poolCts, room, store, counters, workerProps));

    protected override void PreStart()
    {
        // One faulted worker is restarted alone; its siblings keep their tasks.
        var strategy = new OneForOneStrategy(_ => Directive.Restart);
        var workerProps = _workerProps(Self);
        _router = Context.ActorOf(
            workerProps.WithRouter(new RoundRobinPool(_options.Workers).WithSupervisorStrategy(strategy)),
            "workers");
        if (_options.Resizer is { } resizer)
        {
            Timers.StartPeriodicTimer(ResizeTimer, ResizeTick.Instance, resizer.Interval);
        }
    }

    protected override void PostStop()
    {
        _limiter?.Dispose();
        _counters.Publish(workers: 0, active: 0, queued: 0);
    }

    protected override bool AroundReceive(Receive receive, object message)
    {
        var handled = base.AroundReceive(receive, message);
        _counters.Publish(_workers.Count - _retiring.Count, _assigned.Count, _queue.Count);
        _counters.PublishCircuit(_breaker is not null && _breaker.Phase != BreakerPhase.Closed);
        HandOverCompletions();
        return handled;
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

    private void HandleSubmit(SubmitTask submit)
    {
        Accept(submit);
        Dispatch();
    }

    private void HandleSubmitBatch(SubmitBatch batch)
    {
        foreach (var submit in batch.Tasks)
        {
            Accept(submit);
        }

        Dispatch();
    }

    /// <summary>Takes in an accepted task; the caller already has its id, so it always gets an outcome.</summary>
    private void Accept(SubmitTask submit)
    {
        var task = new QueuedTask(submit.Id, submit.Item, submit.HoldsSlot, attempts: 0, ++_accepted);
        if (_stopping || _cancelled || _poolCts.IsCancellationRequested)
        {
            // Admitted just before the start token fired: it may not start any more.
            ReleaseSlot(task.HoldsSlot);
            Record(NeverStarted(task, TaskOutcome.Cancelled, new OperationCanceledException("The pool's start token was cancelled before the task started.")), task);
            return;
        }

        if (_options.Overflow == OverflowPolicy.DropOldest && _options.QueueSize > 0
            && _queue.Count >= _options.QueueSize && _queue.TryDequeueOldest(out var oldest))
        {
            Forget(oldest);
            Record(
                NeverStarted(oldest, TaskOutcome.Dropped, new SubmitRejectedException(
                    RejectionReason.QueueFull,
                    $"The task was dropped: the queue held {_options.QueueSize} tasks and a newer one arrived (OverflowPolicy.DropOldest).")),
                oldest);
        }

        Enqueue(task);
    }

    private void Enqueue(QueuedTask task)
    {
        _queue.Enqueue(task);
        var queueTimeout = task.Item.Options?.QueueTimeout ?? _options.QueueTimeout;
        if (task.Attempts == 0 && queueTimeout is { } timeout && timeout != Timeout.InfiniteTimeSpan)
        {
            _expiring[task.Id] = task;
            var expired = new QueueExpired(task.Id);
            Timers.StartSingleTimer(expired, expired, timeout);
        }
    }

    /// <summary>A task left the queue: its expiry timer, if any, goes with it.</summary>
    private void Forget(QueuedTask task)
    {
        ReleaseSlot(task.HoldsSlot);
        if (_expiring.Remove(task.Id))
        {
            Timers.Cancel(new QueueExpired(task.Id));
        }
    }

    private void HandleQueueExpired(QueueExpired expired)
    {
        if (!_expiring.Remove(expired.TaskId, out var task) || !_queue.Remove(task))
        {
            return;
        }

        ReleaseSlot(task.HoldsSlot);
        var timeout = task.Item.Options?.QueueTimeout ?? _options.QueueTimeout;
        Record(NeverStarted(task, TaskOutcome.TimedOut, new TimeoutException($"The task waited longer than its queue timeout of {timeout} and was never started.")), task);
        CompleteStopIfDrained();
    }

    private void HandleWorkerReady(IActorRef worker)
    {
        if (_workers.Add(worker))
        {
            Context.Watch(worker);
        }

        ReleaseAssignments(worker, new InvalidOperationException("The worker dropped the task without an outcome."));
        WorkerFreed(worker);
        Dispatch();
        CompleteStopIfDrained();
    }

    private void HandleTaskFinished(TaskFinished finished)
    {
        if (Finished(Sender, finished.Result, stillRunning: !finished.WorkerFree))
        {
            Dispatch();
        }

        CompleteStopIfDrained();
    }

    private void HandleTasksFinished(TasksFinished finished)
    {
        var freed = false;
        foreach (var result in finished.Results)
        {
            freed |= Finished(Sender, result, stillRunning: false);
        }

        if (freed)
        {
            Dispatch();
        }

        CompleteStopIfDrained();
    }

    private void HandleSlotFreed(SlotFreed freed)
    {
        if (_assigned.TryGetValue(Sender, out var tasks))
        {
            tasks.RemoveAll(t => t.Task.Id == freed.TaskId);
            if (tasks.Count == 0)
            {
                _assigned.Remove(Sender);
                WorkerFreed(Sender);
                Dispatch();
            }
        }

        CompleteStopIfDrained();
    }

    /// <summary>Settles one reported outcome; returns true when that left the worker with nothing to do.</summary>
    private bool Finished(IActorRef worker, TaskResult result, bool stillRunning)
    {
        if (!_assigned.TryGetValue(worker, out var tasks))
        {
            return false;
        }

        var index = tasks.FindIndex(t => t.Task.Id == result.TaskId);
        if (index < 0)
        {
            return false;
        }

        var running = tasks[index];
        if (!running.Recorded)
        {
            running.Recorded = true;
            Conclude(running, result);
        }

        if (stillRunning)
        {
            return false;
        }

        tasks.RemoveAt(index);
        if (tasks.Count > 0)
        {
            return false;
        }

        _assigned.Remove(worker);
        WorkerFreed(worker);
        return true;
    }

    /// <summary>
    /// A worker lost its state (restart) or stopped: the task it ran gets <paramref name="cause"/>
    /// as its failure, and the tasks it had not started go back into the queue.
    /// </summary>
    private void ReleaseAssignments(IActorRef worker, Exception cause)
    {
        if (!_assigned.Remove(worker, out var tasks))
        {
            return;
        }

        for (var i = 0; i < tasks.Count; i++)
        {
            var running = tasks[i];
            if (running.Recorded)
            {
                continue;
            }

            running.Recorded = true;
            if (i == 0)
            {
                Conclude(running, NeverFinished(running, TaskOutcome.Failed, cause));
            }
            else
            {
                Enqueue(new QueuedTask(running.Task.Id, running.Task.Item, holdsSlot: false, running.Attempt - 1, running.Task.Arrival));
            }
        }
    }

    private void HandleWorkerRestarted(WorkerRestarted restarted)
    {
        _counters.CountRestart();
        var worker = Sender;
        _log.Warning("Worker {0} restarted after {1}: {2}", worker.Path.Name, restarted.Cause.GetType().Name, restarted.Cause.Message);
        ReleaseAssignments(worker, restarted.Cause);
        HandleWorkerReady(worker);
    }

    private void HandleTerminated(Terminated terminated)
    {
        var worker = terminated.ActorRef;
        _workers.Remove(worker);
        if (!_retiring.Remove(worker))
        {
            _target = Math.Max(0, _target - 1);
        }

        ReleaseAssignments(worker, new InvalidOperationException("The worker running the task stopped."));
        Dispatch();
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
        _log.Info("Start token cancelled: {0} queued tasks cancelled, {1} running tasks signalled", _queue.Count, _assigned.Count);
        CancelQueued("The pool's start token was cancelled before the task started.");
        AbandonRetries();
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
        Timers.Cancel(ResizeTimer);
        if (!_started)
        {
            CancelQueued("The pool was stopped before it was started.");
        }

        AbandonRetries();
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
        AbandonRetries();
        AbandonRunning(TaskOutcome.Cancelled, () => new OperationCanceledException("The pool was stopped before the task finished."));
        CompleteStopIfDrained();
    }

    private void HandleShutdownDeadline()
    {
        if (_stopped)
        {
            return;
        }

        _log.Warning("Shutdown timeout of {0} reached: {1} running tasks recorded as timed out, {2} queued tasks cancelled", _options.ShutdownTimeout, _assigned.Count, _queue.Count);
        _poolCts.Cancel();
        CancelQueued($"The pool's shutdown timeout of {_options.ShutdownTimeout} passed before the task started.");
        AbandonRetries();
        AbandonRunning(TaskOutcome.TimedOut, () => new TimeoutException($"The task was still running when the pool's shutdown timeout of {_options.ShutdownTimeout} passed."));
        CompleteStopIfDrained();
    }

    private void HandleRetryDue(RetryDue due)
    {
        if (!_retrying.Remove(due.TaskId, out var pending))
        {
            return;
        }

        if (MayRun(pending.Task.Item))
        {
            Enqueue(new QueuedTask(due.TaskId, pending.Task.Item, holdsSlot: false, pending.LastResult.Attempts, pending.Task.Arrival));
            Dispatch();
        }
        else
        {
            Record(pending.LastResult, pending.Task);
            CompleteStopIfDrained();
        }
    }

    private void HandleRateTokenReady(RateTokenReady ready)
    {
        _awaitingStartToken = false;
        _holdsStartToken |= ready.Acquired;
        Dispatch();
    }

    private void HandleAwaitOutcomes(AwaitOutcomes wait)
    {
        var outstanding = _accepted - _recorded;
        if (outstanding == 0)
        {
            _aggregator.Tell(new FlushOutcomes(wait.Completion));
            return;
        }

        _outcomeWaiters.Add(new OutcomeWaiter(wait.Completion, _accepted, outstanding));
    }

    private void HandleGetState(GetPoolState get) =>
        get.Reply.TrySetResult(new PoolState(_workers.Count - _retiring.Count, _assigned.Count, _queue.Count, _accepted, _recorded, (int)_counters.WorkerRestarts, _router));

    /// <summary>Hands queued tasks to idle workers until either runs out, or the rate limit says wait.</summary>
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

        var limited = false;
        while (!limited && _queue.Count > 0 && TryTakeIdle(out var worker))
        {
            // Share the queue among the idle workers; a batch only for tiny tasks.
            var take = Math.Min(BatchLimit(), (_queue.Count + _idleSet.Count) / (_idleSet.Count + 1));
            var batch = new List<RunTask>(take);
            while (batch.Count < take && _queue.TryPeek(out var next))
            {
                if (next.Item.CallerToken.IsCancellationRequested)
                {
                    TakeFromQueue(next);
                    Record(NeverStarted(next, TaskOutcome.Cancelled, new OperationCanceledException(next.Item.CallerToken)), next);
                    continue;
                }

                if (_breaker is not null && _breaker.IsRejecting())
                {
                    TakeFromQueue(next);
                    Record(NeverStarted(next, TaskOutcome.Failed, new CircuitOpenException()), next);
                    continue;
                }

                if (_limiter is not null && !TryTakeStartToken())
                {
                    RequestStartToken();
                    limited = true;
                    break;
                }

                if (_breaker is not null && _breaker.AllowStart(out var trial) && trial)
                {
                    _log.Info("Circuit breaker half-open: task {0} runs as the trial", next.Id);
                }

                TakeFromQueue(next);
                batch.Add(Assign(worker, next));
            }

            switch (batch.Count)
            {
                case 0:
                    MakeIdle(worker);
                    break;
                case 1:
                    worker.Tell(batch[0]);
                    break;
                default:
                    worker.Tell(new RunTasks([.. batch]));
                    break;
            }
        }

        CompleteStopIfDrained();
    }

    /// <summary>
    /// How many tasks one worker may be handed at once: one, unless recent tasks ran for
    /// microseconds and nothing needs a decision per start (priority, rate limit, breaker).
    /// A batch spares a round trip per task; for longer tasks it would only let one worker
    /// sit on tasks another could start.
    /// </summary>
    private int BatchLimit() =>
        _options.EnablePriority || _limiter is not null || _breaker is not null || _stopping || _meanRunTicks > TinyTaskTicks
            ? 1
            : MaxBatch;

    private void TakeFromQueue(QueuedTask task)
    {
        _queue.TryDequeue(out _);
        Forget(task);
    }

    private RunTask Assign(IActorRef worker, QueuedTask task)
    {
        var attempt = task.Attempts + 1;
        var timeout = task.Item.Options?.Timeout ?? _options.TaskTimeout;
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            timeout = null;
        }

        if (!_assigned.TryGetValue(worker, out var tasks))
        {
            tasks = new List<RunningTask>(1);
            _assigned[worker] = tasks;
        }

        tasks.Add(new RunningTask(task, attempt, _options.TimeProvider.GetTimestamp()));
        return new RunTask(task.Id, task.Item, timeout, attempt);
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

    /// <summary>Records the end of a run, or schedules another try when the task may retry.</summary>
    private void Conclude(RunningTask running, TaskResult result)
    {
        if (result.Attempts > 0)
        {
            _meanRunTicks += (result.Duration.Ticks - _meanRunTicks) * 0.1;
        }

        ReportToBreaker(result);
        if (result.Outcome == TaskOutcome.Failed && ShouldRetry(running, result.Error))
        {
            _counters.CountRetried();
            var delay = Backoff(result.Attempts);
            _retrying[running.Task.Id] = new PendingRetry(running.Task, result);
            var due = new RetryDue(running.Task.Id);
            Timers.StartSingleTimer(due, due, delay);
            _log.Debug("Task {0} failed on attempt {1}; retrying in {2}", running.Task.Id, result.Attempts, delay);
            return;
        }

        Record(result, running.Task);
    }

    private bool ShouldRetry(RunningTask running, Exception? error)
    {
        var maxAttempts = running.Task.Item.Options?.MaxAttempts ?? _options.MaxAttempts;
        if (error is null or CircuitOpenException || running.Attempt >= maxAttempts || !MayRun(running.Task.Item))
        {
            return false;
        }

        try
        {
            return _options.ShouldRetry(error);
        }
        catch (Exception ex)
        {
            _log.Error(ex, "The ShouldRetry predicate threw for task {0}; not retrying", running.Task.Id);
            return false;
        }
    }

    /// <summary>Whether a task may (re)start: the pool runs on and its caller still waits.</summary>
    private bool MayRun(WorkItem item) =>
        !_stopping && !_cancelled && !_poolCts.IsCancellationRequested && !item.CallerToken.IsCancellationRequested;

    /// <summary>Exponential backoff with equal jitter: half the step fixed, half random.</summary>
    private TimeSpan Backoff(int attemptsSoFar)
    {
        var step = _options.RetryBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attemptsSoFar - 1, 30));
        var capped = Math.Min(step, _options.MaxRetryBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((capped / 2) + (Random.Shared.NextDouble() * capped / 2));
    }

    private void ReportToBreaker(TaskResult result)
    {
        if (_breaker is null)
        {
            return;
        }

        switch (result.Outcome)
        {
            case TaskOutcome.Succeeded when _breaker.OnSuccess():
                _log.Info("Circuit breaker closed: trial task {0} succeeded", result.TaskId);
                break;
            case TaskOutcome.Failed or TaskOutcome.TimedOut when _breaker.OnFailure():
                _counters.CountTrip();
                _log.Warning("Circuit breaker opened by task {0} ({1}); tasks fail fast for {2}", result.TaskId, result.Outcome, _options.CircuitBreaker!.ResetTimeout);
                break;
            case TaskOutcome.Cancelled or TaskOutcome.Dropped:
                _breaker.OnNeutral();
                break;
        }
    }

    private void Resize(int workers)
    {
        if (_stopping || workers <= 0 || workers == _target)
        {
            return;
        }

        _log.Info("Resizing from {0} to {1} workers", _target, workers);
        if (workers > _target)
        {
            var grow = workers - _target;
            var owed = Math.Min(grow, _owedRetirements);
            _owedRetirements -= owed;
            if (grow > owed)
            {
                _router.Tell(new AdjustPoolSize(grow - owed));
            }
        }
        else
        {
            var shrink = _target - workers;
            while (shrink > 0 && TryTakeIdle(out var idle))
            {
                Retire(idle);
                shrink--;
            }

            foreach (var busy in _assigned.Keys)
            {
                if (shrink == 0)
                {
                    break;
                }

                if (_retiring.Add(busy))
                {
                    shrink--; // leaves once its task ends
                }
            }

            _owedRetirements += shrink;
        }

        _target = workers;
    }

    private void HandleResizeTick()
    {
        var resizer = _options.Resizer!;
        var idle = _queue.Count == 0 && _idleSet.Count > 0;
        if (_queue.Count > 0 && _idleSet.Count == 0 && _target < resizer.UpperBound)
        {
            Resize(_target + Math.Min(Math.Min(_queue.Count, Math.Max(_target, 1)), resizer.UpperBound - _target));
        }
        else if (idle && _idleAtLastTick && _target > resizer.LowerBound)
        {
            Resize(_target - 1);
        }

        _idleAtLastTick = idle;
    }

    private void WorkerFreed(IActorRef worker)
    {
        if (!_workers.Contains(worker))
        {
            return;
        }

        if (_retiring.Contains(worker))
        {
            _router.Tell(new RemoveRoutee(Routee.FromActorRef(worker)));
        }
        else if (_owedRetirements > 0)
        {
            _owedRetirements--;
            Retire(worker);
        }
        else
        {
            MakeIdle(worker);
        }
    }

    /// <summary>Takes an idle worker out of the router, which stops it.</summary>
    private void Retire(IActorRef worker)
    {
        _retiring.Add(worker);
        _router.Tell(new RemoveRoutee(Routee.FromActorRef(worker)));
    }

    private bool TryTakeIdle(out IActorRef worker)
    {
        while (_idle.Count > 0)
        {
            worker = _idle.Dequeue();
            _idleSet.Remove(worker);
            if (_workers.Contains(worker) && !_retiring.Contains(worker) && !_assigned.ContainsKey(worker))
            {
                return true;
            }
        }

        worker = ActorRefs.Nobody;
        return false;
    }

    private void MakeIdle(IActorRef worker)
    {
        if (_workers.Contains(worker) && !_retiring.Contains(worker) && _idleSet.Add(worker))
        {
            _idle.Enqueue(worker);
        }
    }

    private void CancelQueued(string why)
    {
        foreach (var queued in _queue.DrainOldestFirst())
        {
            Forget(queued);
            Record(NeverStarted(queued, TaskOutcome.Cancelled, new OperationCanceledException(why)), queued);
        }
    }

    /// <summary>Retries stop with the pool: each waiting retry is recorded with its last failure.</summary>
    private void AbandonRetries()
    {
        foreach (var (id, pending) in _retrying)
        {
            Timers.Cancel(new RetryDue(id));
            Record(pending.LastResult, pending.Task);
        }

        _retrying.Clear();
    }

    /// <summary>Records what workers hold: the running task with <paramref name="outcome"/>, the ones not started as cancelled.</summary>
    private void AbandonRunning(TaskOutcome outcome, Func<Exception> error)
    {
        foreach (var tasks in _assigned.Values)
        {
            for (var i = 0; i < tasks.Count; i++)
            {
                var running = tasks[i];
                if (running.Recorded)
                {
                    continue;
                }

                running.Recorded = true;
                var result = i == 0
                    ? NeverFinished(running, outcome, error())
                    : new TaskResult(running.Task.Id, TaskOutcome.Cancelled, new OperationCanceledException("The pool stopped before the task started."), TimeSpan.Zero, _options.TimeProvider.GetUtcNow(), running.Attempt - 1) { Key = running.Task.Item.Key };
                Record(result, running.Task);
            }
        }
    }

    private void CompleteStopIfDrained()
    {
        if (!_stopping || _stopped || _queue.Count > 0 || _retrying.Count > 0)
        {
            return;
        }

        foreach (var tasks in _assigned.Values)
        {
            foreach (var running in tasks)
            {
                if (!running.Recorded)
                {
                    return;
                }
            }
        }

        _stopped = true;
        Timers.Cancel(DeadlineTimer);
        _log.Debug("Pool drained: {0} tasks accepted, {1} outcomes recorded", _accepted, _recorded);
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

    private void Record(TaskResult result, QueuedTask task)
    {
        _recorded++;
        var item = task.Item;
        if (_store.Hook is null && item.Options?.OnCompleted is null)
        {
            // Nothing slow to call: store it here rather than spend a message per task.
            _store.Add(result);
            if (item.Completion is not null)
            {
                _completions.Add((item.Completion, result));
            }
        }
        else
        {
            // User callbacks run on the aggregator, so a slow one never delays dispatch.
            _aggregator.Tell(new RecordOutcome(result, item));
        }

        if (_outcomeWaiters.Count > 0)
        {
            NotifyOutcomeWaiters(task.Arrival);
        }
    }

    /// <summary>
    /// Completes the waiting <c>RunAsync</c> callers of this message's outcomes: one inline, a
    /// batch on one thread-pool item, so the supervisor does not pay a hand-off per task.
    /// </summary>
    private void HandOverCompletions()
    {
        if (_completions.Count == 0)
        {
            return;
        }

        if (_completions.Count == 1)
        {
            var (complete, result) = _completions[0];
            _completions.Clear();
            complete(result);
            return;
        }

        var batch = _completions;
        _completions = [];
        ThreadPool.UnsafeQueueUserWorkItem(
            static batch =>
            {
                foreach (var (complete, result) in batch)
                {
                    complete(result);
                }
            },
            batch,
            preferLocal: false);
    }

    private void NotifyOutcomeWaiters(long arrival)
    {
        for (var i = _outcomeWaiters.Count - 1; i >= 0; i--)
        {
            var waiter = _outcomeWaiters[i];
            if (arrival <= waiter.LastArrival && --waiter.Remaining == 0)
            {
                _aggregator.Tell(new FlushOutcomes(waiter.Completion));
                _outcomeWaiters.RemoveAt(i);
            }
        }
    }

    private void ReleaseSlot(bool holdsSlot)
    {
        if (holdsSlot)
        {
            _room?.Release();
        }
    }

    private TaskResult NeverStarted(QueuedTask queued, TaskOutcome outcome, Exception error) =>
        new(queued.Id, outcome, error, TimeSpan.Zero, _options.TimeProvider.GetUtcNow(), queued.Attempts) { Key = queued.Item.Key };

    private TaskResult NeverFinished(RunningTask running, TaskOutcome outcome, Exception error)
    {
        var ran = _options.TimeProvider.GetElapsedTime(running.StartTimestamp);
        return new(running.Task.Id, outcome, error, ran, _options.TimeProvider.GetUtcNow() - ran, running.Attempt) { Key = running.Task.Item.Key };
    }

    /// <summary>A task a worker holds; <see cref="Recorded"/> turns true once its outcome is settled.</summary>
    private sealed class RunningTask(QueuedTask task, int attempt, long startTimestamp)
    {
        public QueuedTask Task { get; } = task;

        public int Attempt { get; } = attempt;

        public long StartTimestamp { get; } = startTimestamp;

        public bool Recorded { get; set; }
    }

    /// <summary>A failed task waiting for its next try, with the result that stands if it gets none.</summary>
    private sealed record PendingRetry(QueuedTask Task, TaskResult LastResult);

    /// <summary>A <see cref="WorkerPool.WaitAsync"/> caller: done when the tasks received up to <see cref="LastArrival"/> that were outstanding have outcomes.</summary>
    private sealed class OutcomeWaiter(TaskCompletionSource completion, long lastArrival, long remaining)
    {
        public TaskCompletionSource Completion { get; } = completion;

        public long LastArrival { get; } = lastArrival;

        public long Remaining { get; set; } = remaining;
    }
}
