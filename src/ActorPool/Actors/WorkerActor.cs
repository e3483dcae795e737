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

    /// <summary>This worker's own outcome counts, so recording contends with no other worker.</summary>
    private readonly Outcomes.OutcomeTally _tally;

    /// <summary>Gives each run its token and deadline, calls it, and says how it ended.</summary>
    private readonly TaskRunner _runner;

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

    public WorkerActor(WorkerContext context)
    {
        _context = context;
        _tally = context.Recorder.Store.CreateTally();
        _runner = new TaskRunner(context, Context.GetLogger());
        var self = Self;
        _onRunEnded = () => self.Tell(RunEnded.Instance, ActorRefs.NoSender);
        Receive<RunBatch>(HandleRunBatch);
        Receive<RunEnded>(_ => HandleRunEnded());
        Receive<CancelRun>(cancel =>
        {
            if (ReferenceEquals(cancel.Item, _current))
            {
                _runner.CancelRun();
            }
        });
    }

    public static Props Props(WorkerContext context) => Akka.Actor.Props.Create(() => new WorkerActor(context));

    protected override void PreStart() => _context.Supervisor.Tell(WorkerReady.Instance);

    protected override void PreRestart(Exception reason, object message)
    {
        // The faulted incarnation's task is abandoned: cancel it. The supervisor settles it and
        // puts back what this worker had not started.
        _runner.Abandon();
        base.PreRestart(reason, message);
    }

    // Not calling base: it would run PreStart and announce the worker a second time.
    protected override void PostRestart(Exception reason) => _context.Supervisor.Tell(new WorkerRestarted(reason));

    protected override void PostStop()
    {
        _runner.Abandon();
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
        var now = _context.Time.GetTimestamp();
        if (item.Attempts == 0)
        {
            item.QueueWaitSeconds = (float)_context.Time.GetElapsedTime(_queuedSince, now).TotalSeconds;
        }

        item.Attempts++;
        item.StartTimestamp = now;
        _context.OnStart?.Invoke(item);
        return true;
    }

    /// <summary>Starts the task's run, inside its trace span when someone listens.</summary>
    private Task Start(WorkItem item)
    {
        if (PoolTracing.IsListening)
        {
            var store = _context.Recorder.Store;
            PoolTracing.StartRun(item, _context.Recorder.PoolName, store.WallClock(_queuedSince), _context.Time.GetElapsedTime(_queuedSince, item.StartTimestamp));
        }

        return _runner.Start(item);
    }

    /// <summary>The running task ended: settle it, or leave it to the supervisor for another try.</summary>
    private void End(WorkItem item, Task task)
    {
        var end = _context.Time.GetTimestamp();
        _runs++;
        _runTicks += _context.Time.GetElapsedTime(item.StartTimestamp, end).Ticks;
        var ended = _runner.End(item, task);
        var recorder = _context.Recorder;
        if (ended.Outcome == TaskOutcome.Succeeded)
        {
            item.Succeeded(task);
            recorder.TrySettle(item, ItemState.Running, TaskOutcome.Succeeded, null, ran: true, _tally);
            item.Release();
            return;
        }

        if (ended.RetryWanted)
        {
            item.Error = ended.Error;
            item.EndTimestamp = end;
            if (item.TryMove(ItemState.Running, ItemState.Retrying))
            {
                return;
            }
        }

        recorder.TrySettle(item, ItemState.Running, ended.Outcome, ended.Error, ran: true, _tally);
        item.Release(); // settled by this worker, its deadline or a stop: the run is over either way
    }
}
