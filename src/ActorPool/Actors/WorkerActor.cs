using ActorPool.Admission;
using ActorPool.Diagnostics;
using ActorPool.Messages;
using ActorPool.Work;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Actors;

/// <summary>
/// Runs the tasks it is handed, one at a time, and settles each itself: it records the outcome
/// and completes the waiting caller, then tells the supervisor only that its batch is done.
/// </summary>
/// <remarks>
/// <para>The worker pulls: it is handed work only when it said it was free. Usually that is one
/// task; when tasks are tiny it is a short batch, run back to back. A task in a batch is still
/// waiting until the worker claims it (a compare-and-swap), so an idle worker may take it first,
/// its queue timeout still applies, and a stop can cancel it.</para>
/// <para>A task's <see cref="Task"/> is awaited without blocking the actor: its completion sends
/// <see cref="RunEnded"/>. Tasks that complete synchronously skip that round trip. No exception of
/// user code reaches the receive: delegates, retry predicates and token callbacks are all contained.</para>
/// </remarks>
internal sealed class WorkerActor : ReceiveActor
{
    private readonly WorkerContext _context;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>This worker's own outcome counts, so recording contends with no other worker.</summary>
    private readonly Outcomes.OutcomeTally _tally;

    /// <summary>Sends <see cref="RunEnded"/> to this worker; one delegate for all its tasks.</summary>
    private readonly Action _onRunEnded;

    private WorkItem[] _batch = [];
    private int _next;
    private int _number = WorkItem.HolderNone;
    private int _runs;
    private long _runTicks;

    /// <summary>Since when the task being started waited: its acceptance, or the end of its last try.</summary>
    private long _queuedSince;

    /// <summary>The task whose <see cref="Task"/> is awaited, or null.</summary>
    private WorkItem? _current;
    private Task? _running;

    /// <summary>The current task's own token source, when it has a timeout or a caller token.</summary>
    private CancellationTokenSource? _cancellation;
    private TaskDeadline? _deadline;

    /// <summary>The execution context tasks run in when they must carry the pool's mark; captured once.</summary>
    private ExecutionContext? _insideContext;

    /// <summary>The call <see cref="InvokeInside"/> makes: fields rather than a closure, so a start allocates nothing of ours.</summary>
    private (WorkItem? Item, CancellationToken Token) _invoking;
    private Task? _invoked;

    public WorkerActor(WorkerContext context)
    {
        _context = context;
        _tally = context.Recorder.Store.CreateTally();
        var self = Self;
        _onRunEnded = () => self.Tell(RunEnded.Instance, ActorRefs.NoSender);
        Receive<RunBatch>(HandleRunBatch);
        Receive<RunEnded>(_ => HandleRunEnded());
    }

    public static Props Props(WorkerContext context) => Akka.Actor.Props.Create(() => new WorkerActor(context));

    protected override void PreStart() => _context.Supervisor.Tell(WorkerReady.Instance);

    protected override void PreRestart(Exception reason, object message)
    {
        // The faulted incarnation's task is abandoned: cancel it. The supervisor settles it and
        // puts back what this worker had not started.
        AbandonCurrent();
        base.PreRestart(reason, message);
    }

    // Not calling base: it would run PreStart and announce the worker a second time.
    protected override void PostRestart(Exception reason) => _context.Supervisor.Tell(new WorkerRestarted(reason));

    protected override void PostStop()
    {
        AbandonCurrent();
        _context.Recorder.Store.RetireTally(_tally);
    }

    private void HandleRunBatch(RunBatch batch)
    {
        _batch = batch.Items;
        _number = batch.Worker;
        _next = 0;
        _runs = 0;
        _runTicks = 0;
        RunNext();
    }

    private void HandleRunEnded()
    {
        if (_running is not { IsCompleted: true } task)
        {
            return; // a task of an earlier incarnation
        }

        var item = _current!;
        _current = null;
        _running = null;
        End(item, task);
        RunNext();
    }

    /// <summary>Starts the batch's tasks one after another until one has to be awaited, then reports.</summary>
    private void RunNext()
    {
        while (_next < _batch.Length)
        {
            var item = _batch[_next++];
            if (!TryClaim(item))
            {
                continue;
            }

            var task = Start(item);
            if (!task.IsCompleted)
            {
                _current = item;
                _running = task;
                task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onRunEnded);
                return;
            }

            End(item, task);
        }

        if (_batch.Length > 0)
        {
            _batch = [];
            _context.Supervisor.Tell(new BatchDone(_runs, _runTicks));
        }
    }

    /// <summary>Takes a waiting task to run, unless it may no longer start; settles it then.</summary>
    private bool TryClaim(WorkItem item)
    {
        if (item.State != ItemState.Queued)
        {
            return false; // taken by another worker, or settled while it waited
        }

        var recorder = _context.Recorder;
        if (_context.PoolToken.IsCancellationRequested)
        {
            recorder.TrySettle(item, ItemState.Queued, TaskOutcome.Cancelled, new OperationCanceledException("The pool stopped before the task started.", _context.PoolToken), ran: false, _tally);
            return false;
        }

        if (item.CallerToken.IsCancellationRequested)
        {
            recorder.TrySettle(item, ItemState.Queued, TaskOutcome.Cancelled, new OperationCanceledException(item.CallerToken), ran: false, _tally);
            return false;
        }

        if (!item.TryMove(ItemState.Queued, ItemState.Running))
        {
            return false;
        }

        item.RunBy = _number;
        _queuedSince = item.Attempts == 0 ? item.StartTimestamp : item.EndTimestamp;
        item.Attempts++;
        item.StartTimestamp = _context.Time.GetTimestamp();
        return true;
    }

    /// <summary>Calls the task's delegate; whatever it does (throw, return null) comes back as a task.</summary>
    private Task Start(WorkItem item)
    {
        var token = _context.PoolToken;
        var timeout = _context.TimeoutOf(item.Options);
        if (timeout is not null || item.CallerToken.CanBeCanceled)
        {
            // Only a task with a deadline or a caller token needs a token of its own; the rest
            // share the pool's, which spares a token source and a registration per task.
            _cancellation = item.CallerToken.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(_context.PoolToken, item.CallerToken)
                : CancellationTokenSource.CreateLinkedTokenSource(_context.PoolToken);
            token = _cancellation.Token;
            if (timeout is { } limit)
            {
                _deadline = TaskDeadline.Arm(item, _cancellation, limit, _context);
            }
        }

        if (PoolTracing.IsListening)
        {
            var store = _context.Recorder.Store;
            PoolTracing.StartRun(item, _context.Recorder.PoolName, store.WallClock(_queuedSince), _context.Time.GetElapsedTime(_queuedSince, item.StartTimestamp));
        }

        try
        {
            return Invoke(item, token) ?? Task.FromException(new InvalidOperationException("The task delegate returned null instead of a Task."));
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }

    /// <summary>Calls the delegate, inside the pool's mark and the run's span when either is needed.</summary>
    private Task? Invoke(WorkItem item, CancellationToken token)
    {
        if (_context.InsideMarker is null && item.Trace is null)
        {
            return item.Invoke(token);
        }

        if (_insideContext is null)
        {
            var outer = _context.InsideMarker is { } marker ? InsidePool.Enter(marker) : null;
            _insideContext = ExecutionContext.Capture();
            if (_context.InsideMarker is not null)
            {
                InsidePool.Exit(outer);
            }
        }

        if (_insideContext is null)
        {
            return item.Invoke(token); // flow suppressed by the host: no mark, no harm beyond that
        }

        _invoking = (item, token);
        ExecutionContext.Run(_insideContext, static state => ((WorkerActor)state!).InvokeInside(), this);
        var started = _invoked;
        _invoked = null;
        _invoking = default;
        return started;
    }

    private void InvokeInside()
    {
        var (item, token) = _invoking;
        if (item!.Trace is { } span)
        {
            System.Diagnostics.Activity.Current = span;
        }

        _invoked = item.Invoke(token);
    }

    /// <summary>The running task ended: settle it, or leave it to the supervisor for another try.</summary>
    private void End(WorkItem item, Task task)
    {
        var end = _context.Time.GetTimestamp();
        _runs++;
        _runTicks += _context.Time.GetElapsedTime(item.StartTimestamp, end).Ticks;
        var timedOut = ReleaseCancellation();
        var recorder = _context.Recorder;
        if (task.IsCompletedSuccessfully)
        {
            item.Succeeded(task);
            recorder.TrySettle(item, ItemState.Running, TaskOutcome.Succeeded, null, ran: true, _tally);
            return;
        }

        var error = TaskErrors.Of(task);
        var outcome = Classify(item, error, timedOut);
        if (outcome == TaskOutcome.Failed && WantsRetry(item, error))
        {
            item.Error = error;
            item.EndTimestamp = end;
            if (item.TryMove(ItemState.Running, ItemState.Retrying))
            {
                return;
            }
        }

        recorder.TrySettle(item, ItemState.Running, outcome, outcome == TaskOutcome.TimedOut ? Timeout(item, error) : error, ran: true, _tally);
    }

    /// <summary>
    /// A cancellation is the pool's (or the caller's) only when their token fired; anything else
    /// the task throws, an <see cref="OperationCanceledException"/> of its own included, is a failure.
    /// </summary>
    private TaskOutcome Classify(WorkItem item, Exception error, bool timedOut)
    {
        if (error is not OperationCanceledException)
        {
            return TaskOutcome.Failed;
        }

        if (timedOut)
        {
            return TaskOutcome.TimedOut;
        }

        return _context.PoolToken.IsCancellationRequested || item.CallerToken.IsCancellationRequested
            ? TaskOutcome.Cancelled
            : TaskOutcome.Failed;
    }

    private bool WantsRetry(WorkItem item, Exception error)
    {
        var maxAttempts = item.Options?.MaxAttempts ?? _context.MaxAttempts;
        if (item.Attempts >= maxAttempts || error is OperationCanceledException or CircuitOpenException
            || _context.PoolToken.IsCancellationRequested || item.CallerToken.IsCancellationRequested)
        {
            return false;
        }

        try
        {
            return _context.ShouldRetry(error);
        }
        catch (Exception ex)
        {
            _log.Error(ex, "The ShouldRetry predicate threw for task {0}; not retrying", item.Id);
            return false;
        }
    }

    /// <summary>Ends the current task's own token and deadline; returns whether the deadline fired.</summary>
    private bool ReleaseCancellation()
    {
        var fired = false;
        if (_deadline is not null)
        {
            _deadline.Dispose();
            fired = _deadline.Fired;
            _deadline = null;
        }

        if (_cancellation is not null)
        {
            _cancellation.Dispose();
            _cancellation = null;
        }

        return fired;
    }

    private void AbandonCurrent()
    {
        _deadline?.Dispose();
        _deadline = null;
        if (_cancellation is not null)
        {
            Cancellations.Cancel(_cancellation);
            _cancellation = null;
        }
    }

    private TimeoutException Timeout(WorkItem item, Exception error) =>
        new($"The task ran longer than its timeout of {_context.TimeoutOf(item.Options)}.", error);
}
