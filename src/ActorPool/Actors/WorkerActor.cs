using ActorPool.Messages;
using Akka.Actor;

namespace ActorPool.Actors;

/// <summary>
/// Runs one task at a time. The worker pulls: it tells the supervisor when it is idle and is
/// handed work. Usually that is one task; when tasks are tiny and the queue is deep it is a
/// short batch, run back to back and reported in one message, so the per-task cost of the
/// round trip is shared.
/// </summary>
/// <remarks>
/// The task runs without blocking the actor: its <see cref="Task"/> is piped back as
/// <see cref="RunEnded"/>, so the worker can still act on its deadline while the task runs.
/// Tasks that complete synchronously skip the mailbox round trip.
/// </remarks>
internal sealed class WorkerActor : ReceiveActor, IWithTimers
{
    private const string DeadlineTimer = "deadline";

    private readonly IActorRef _supervisor;
    private readonly CancellationToken _poolToken;
    private readonly TimeProvider _time;

    /// <summary>Tasks handed over and not started yet, in order.</summary>
    private readonly Queue<RunTask> _pending = new();

    /// <summary>Results not reported yet; sent together when the worker next waits.</summary>
    private readonly List<TaskResult> _finished = [];

    /// <summary>The task being run, or null when idle.</summary>
    private RunTask? _current;

    /// <summary>Cancels the running task at its deadline; null for a task without one.</summary>
    private CancellationTokenSource? _cts;

    /// <summary>The execution context tasks run in: it carries the mark that tells submits from inside the pool apart.</summary>
    private ExecutionContext? _insideContext;

    /// <summary>When the running task started, on the time provider's clock.</summary>
    private long _startTimestamp;

    private DateTimeOffset _startedAt;

    /// <summary>Whether the outcome of the running task has already been reported (its deadline passed).</summary>
    private bool _reported;

    /// <summary>The call <see cref="InvokeInside"/> makes, and the task it got: fields rather than a closure, so a start allocates nothing of ours.</summary>
    private (Func<CancellationToken, Task>? Work, CancellationToken Token) _invoking;

    private Task? _started;

    public WorkerActor(IActorRef supervisor, TimeProvider time, CancellationToken poolToken)
    {
        _supervisor = supervisor;
        _poolToken = poolToken;
        _time = time;
        Receive<RunTask>(run =>
        {
            _pending.Enqueue(run);
            RunNext();
        });
        Receive<RunTasks>(batch =>
        {
            foreach (var run in batch.Tasks)
            {
                _pending.Enqueue(run);
            }

            RunNext();
        });
        Receive<RunEnded>(HandleRunEnded);
        Receive<RunDeadline>(HandleRunDeadline);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef supervisor, TimeProvider time, CancellationToken poolToken) =>
        Akka.Actor.Props.Create(() => new WorkerActor(supervisor, time, poolToken));

    protected override void PreStart() => _supervisor.Tell(WorkerReady.Instance);

    protected override void PreRestart(Exception reason, object message)
    {
        // The task the faulted incarnation ran is abandoned: tell it so. The supervisor
        // requeues the tasks that never started.
        CancelCurrent();
        base.PreRestart(reason, message);
    }

    // Not calling base: it would run PreStart and announce a second WorkerReady.
    protected override void PostRestart(Exception reason) => _supervisor.Tell(new WorkerRestarted(reason));

    protected override void PostStop() => CancelCurrent();

    /// <summary>Starts handed-over tasks one after another until one has to be awaited, then reports.</summary>
    private void RunNext()
    {
        while (_current is null && _pending.TryDequeue(out var run))
        {
            if (_poolToken.IsCancellationRequested)
            {
                // Stopped or cancelled while it waited here: it never starts.
                _finished.Add(new TaskResult(run.TaskId, TaskOutcome.Cancelled, new OperationCanceledException(_poolToken), TimeSpan.Zero, _time.GetUtcNow(), run.Attempt - 1) { Key = run.Item.Key });
                continue;
            }

            Start(run);
        }

        if (_finished.Count == 1)
        {
            _supervisor.Tell(new TaskFinished(_finished[0], WorkerFree: true));
        }
        else if (_finished.Count > 1)
        {
            _supervisor.Tell(new TasksFinished([.. _finished]));
        }

        _finished.Clear();
    }

    private void Start(RunTask run)
    {
        _current = run;
        _reported = false;
        _startedAt = _time.GetUtcNow();
        _startTimestamp = _time.GetTimestamp();
        var token = _poolToken;
        if (run.Timeout is { } timeout && timeout != Timeout.InfiniteTimeSpan)
        {
            // Only a task with a deadline needs a token of its own; the rest share the pool's,
            // which spares a token source and a registration on the pool's token per task.
            _cts = CancellationTokenSource.CreateLinkedTokenSource(_poolToken);
            token = _cts.Token;
            Timers.StartSingleTimer(DeadlineTimer, new RunDeadline(run.TaskId), timeout);
        }

        Task task;
        try
        {
            task = Invoke(run.Item.Work, token)
                ?? Task.FromException(new InvalidOperationException("The task delegate returned null instead of a Task."));
        }
        catch (Exception ex)
        {
            task = Task.FromException(ex);
        }

        if (task.IsCompleted)
        {
            // Synchronous tasks skip the mailbox round trip.
            End(task.Exception?.InnerException ?? (task.IsCanceled ? new TaskCanceledException(task) : null));
            return;
        }

        var taskId = run.TaskId;
        task.PipeTo(Self, success: () => new RunEnded(taskId, null), failure: ex => new RunEnded(taskId, Unwrap(ex)));
    }

    /// <summary>Calls the delegate inside the pool's mark, captured once so each task costs no new context.</summary>
    private Task? Invoke(Func<CancellationToken, Task> work, CancellationToken token)
    {
        if (_insideContext is null)
        {
            var outer = InsidePool.Enter(_supervisor);
            _insideContext = ExecutionContext.Capture();
            InsidePool.Exit(outer);
        }

        if (_insideContext is null)
        {
            return work(token); // flow suppressed by the host: no mark, no harm beyond that
        }

        _invoking = (work, token);
        ExecutionContext.Run(_insideContext, static state => ((WorkerActor)state!).InvokeInside(), this);
        var started = _started;
        _started = null;
        _invoking = default;
        return started;
    }

    private void HandleRunEnded(RunEnded ended)
    {
        if (_current is null || ended.TaskId != _current.TaskId)
        {
            return; // a task abandoned by an earlier incarnation
        }

        End(ended.Error);
        RunNext();
    }

    /// <summary>The running task ended: its result goes out with the next report.</summary>
    private void End(Exception? error)
    {
        var run = _current!;
        if (_cts is not null)
        {
            Timers.Cancel(DeadlineTimer);
            _cts.Dispose();
            _cts = null;
        }

        var elapsed = _time.GetElapsedTime(_startTimestamp);
        _current = null;
        if (_reported)
        {
            // Its timeout was reported at the deadline; the worker is only now free.
            _supervisor.Tell(new SlotFreed(run.TaskId));
            return;
        }

        var outcome = error switch
        {
            null => TaskOutcome.Succeeded,
            OperationCanceledException => TaskOutcome.Cancelled,
            _ => TaskOutcome.Failed,
        };
        _finished.Add(new TaskResult(run.TaskId, outcome, error, elapsed, _startedAt, run.Attempt) { Key = run.Item.Key });
    }

    private void HandleRunDeadline(RunDeadline deadline)
    {
        if (_current is null || deadline.TaskId != _current.TaskId || _reported)
        {
            return;
        }

        // Report at the deadline even if the task ignores its token; the worker stays
        // busy until the task really returns, so concurrency never exceeds the worker count.
        _reported = true;
        var timeout = _current.Timeout ?? TimeSpan.Zero;
        _cts?.Cancel();
        var result = new TaskResult(
            _current.TaskId,
            TaskOutcome.TimedOut,
            new TimeoutException($"The task ran longer than its timeout of {timeout}."),
            _time.GetElapsedTime(_startTimestamp),
            _startedAt,
            _current.Attempt)
        { Key = _current.Item.Key };
        _supervisor.Tell(new TaskFinished(result, WorkerFree: false));
    }

    private void CancelCurrent()
    {
        try
        {
            _cts?.Cancel();
        }
        catch (AggregateException)
        {
            // A task's own cancellation callback threw; the worker is going away regardless.
        }

        _cts?.Dispose();
        _cts = null;
    }

    private static Exception Unwrap(Exception ex) =>
        ex is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : ex;

    private void InvokeInside() => _started = _invoking.Work!(_invoking.Token);
}
