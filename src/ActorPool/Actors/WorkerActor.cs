using ActorPool.Messages;
using Akka.Actor;

namespace ActorPool.Actors;

/// <summary>
/// Runs one task at a time. The worker pulls: it tells the supervisor when it is idle and
/// is handed exactly one <see cref="RunTask"/>, so no task ever waits in a worker's mailbox
/// behind a long one while another worker sits idle.
/// </summary>
/// <remarks>
/// The task runs without blocking the actor: its <see cref="Task"/> is piped back as
/// <see cref="RunEnded"/>, so the worker can still act on its deadline while the task runs.
/// </remarks>
internal sealed class WorkerActor : ReceiveActor, IWithTimers
{
    private const string DeadlineTimer = "deadline";

    private readonly IActorRef _supervisor;
    private readonly CancellationToken _poolToken;
    private readonly TimeProvider _time;

    /// <summary>The task being run, or null when idle.</summary>
    private RunTask? _current;

    /// <summary>Cancels the running task; linked to the pool's token.</summary>
    private CancellationTokenSource? _cts;

    /// <summary>When the running task started, on the time provider's clock.</summary>
    private long _startTimestamp;

    private DateTimeOffset _startedAt;

    /// <summary>Whether the outcome of the running task has already been reported (its deadline passed).</summary>
    private bool _reported;

    public WorkerActor(IActorRef supervisor, TimeProvider time, CancellationToken poolToken)
    {
        _supervisor = supervisor;
        _poolToken = poolToken;
        _time = time;
        Receive<RunTask>(HandleRunTask);
        Receive<RunEnded>(HandleRunEnded);
        Receive<RunDeadline>(HandleRunDeadline);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef supervisor, TimeProvider time, CancellationToken poolToken) =>
        Akka.Actor.Props.Create(() => new WorkerActor(supervisor, time, poolToken));

    protected override void PreStart() => _supervisor.Tell(WorkerReady.Instance);

    protected override void PreRestart(Exception reason, object message)
    {
        // The task the faulted incarnation ran is abandoned: tell it so.
        CancelCurrent();
        base.PreRestart(reason, message);
    }

    // Not calling base: it would run PreStart and announce a second WorkerReady.
    protected override void PostRestart(Exception reason) => _supervisor.Tell(new WorkerRestarted(reason));

    protected override void PostStop() => CancelCurrent();

    private void HandleRunTask(RunTask run)
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
        var outer = InsidePool.Enter(_supervisor);
        try
        {
            task = run.Item.Work(token)
                ?? Task.FromException(new InvalidOperationException("The task delegate returned null instead of a Task."));
        }
        catch (Exception ex)
        {
            task = Task.FromException(ex);
        }
        finally
        {
            InsidePool.Exit(outer);
        }

        if (task.IsCompleted)
        {
            // Synchronous tasks skip the mailbox round trip.
            HandleRunEnded(new RunEnded(run.TaskId, task.Exception?.InnerException ?? (task.IsCanceled ? new TaskCanceledException(task) : null)));
            return;
        }

        var taskId = run.TaskId;
        task.PipeTo(Self, success: () => new RunEnded(taskId, null), failure: ex => new RunEnded(taskId, Unwrap(ex)));
    }

    private void HandleRunEnded(RunEnded ended)
    {
        if (_current is null || ended.TaskId != _current.TaskId)
        {
            return; // a task abandoned by an earlier incarnation
        }

        Timers.Cancel(DeadlineTimer);
        var elapsed = _time.GetElapsedTime(_startTimestamp);
        var timedOut = _reported;
        var finished = new TaskFinished(Describe(ended.Error, elapsed), WorkerFree: true);
        _cts?.Dispose();
        _cts = null;
        _current = null;
        if (timedOut)
        {
            _supervisor.Tell(WorkerReady.Instance);
        }
        else
        {
            _supervisor.Tell(finished);
        }
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

    private TaskResult Describe(Exception? error, TimeSpan elapsed)
    {
        var run = _current!;
        var outcome = error switch
        {
            null => TaskOutcome.Succeeded,
            OperationCanceledException => TaskOutcome.Cancelled,
            _ => TaskOutcome.Failed,
        };
        return new TaskResult(run.TaskId, outcome, error, elapsed, _startedAt, run.Attempt) { Key = run.Item.Key };
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
}
