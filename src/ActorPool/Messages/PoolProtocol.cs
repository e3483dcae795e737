using Akka.Actor;

namespace ActorPool.Messages;

// Every message the pool's actors exchange. Commands are verbs, events past tense.
// Replies travel as completion sources inside the message: one allocation per request
// instead of a temporary actor and a timer per Ask.

/// <summary>The local form of a task: a delegate plus what the pool needs to run and report it.</summary>
/// <remarks>A serializable form (named handler plus payload) can later sit beside <see cref="Work"/>.</remarks>
/// <param name="Work">The delegate to run.</param>
/// <param name="Options">The caller's per-task settings, or null.</param>
/// <param name="Completion">The pool's own hook for the result (used by RunAsync), or null.</param>
/// <param name="CallerToken">The caller's token; once it fires, the task never starts.</param>
internal sealed record WorkItem(
    Func<CancellationToken, Task> Work,
    TaskOptions? Options,
    Action<TaskResult>? Completion,
    CancellationToken CallerToken)
{
    public string? Key => Options?.Id;

    public int Priority => Options?.Priority ?? 0;
}

/// <summary>A task the pool has accepted, on its way into the supervisor's queue.</summary>
/// <param name="Id">The id the caller was given.</param>
/// <param name="Item">The task.</param>
/// <param name="HoldsSlot">Whether the caller took a queue slot that the supervisor must give back.</param>
/// <remarks>
/// The admission gate (<see cref="PoolLifecycle"/>) orders every accepted task before any stop or
/// cancel, so the supervisor takes whatever arrives and the caller needs no reply.
/// </remarks>
internal sealed record SubmitTask(long Id, WorkItem Item, bool HoldsSlot);

/// <summary>Several accepted tasks in one message, from <c>SubmitManyAsync</c>.</summary>
internal sealed record SubmitBatch(SubmitTask[] Tasks);

/// <summary>Lets queued tasks reach workers.</summary>
internal sealed class StartPool
{
    public static readonly StartPool Instance = new();

    private StartPool()
    {
    }
}

/// <summary>The start token was cancelled: queued tasks are cancelled and new ones refused.</summary>
internal sealed class CancelPool
{
    public static readonly CancelPool Instance = new();

    private CancelPool()
    {
    }
}

/// <summary>Begins a graceful stop; <paramref name="Completion"/> completes once every accepted task has an outcome.</summary>
internal sealed record StopPool(TaskCompletionSource Completion);

/// <summary>The stop is no longer graceful: cancel what runs, record it, finish now.</summary>
internal sealed class ForceStop
{
    public static readonly ForceStop Instance = new();

    private ForceStop()
    {
    }
}

/// <summary>The shutdown timeout elapsed while stopping.</summary>
internal sealed class ShutdownDeadline
{
    public static readonly ShutdownDeadline Instance = new();

    private ShutdownDeadline()
    {
    }
}

/// <summary>Gives a worker one task to run.</summary>
/// <param name="TaskId">The task's id.</param>
/// <param name="Item">The task.</param>
/// <param name="Timeout">How long it may run, or null for no limit.</param>
/// <param name="Attempt">Which try this is, from 1.</param>
internal sealed record RunTask(long TaskId, WorkItem Item, TimeSpan? Timeout, int Attempt);

/// <summary>Several tasks for one worker, run in order (only for tiny tasks while the queue is deep).</summary>
internal sealed record RunTasks(RunTask[] Tasks);

/// <summary>A worker's outcomes for several tasks, each of which freed its place.</summary>
internal sealed record TasksFinished(TaskResult[] Results);

/// <summary>A task whose timeout was already reported has really ended; its worker is free of it.</summary>
internal sealed record SlotFreed(long TaskId);

/// <summary>A worker's report of a task's outcome.</summary>
/// <param name="Result">The outcome.</param>
/// <param name="WorkerFree">Whether the worker can take another task now (false while a timed-out task still runs).</param>
internal sealed record TaskFinished(TaskResult Result, bool WorkerFree);

/// <summary>A worker is idle and pulls its next task.</summary>
internal sealed class WorkerReady
{
    public static readonly WorkerReady Instance = new();

    private WorkerReady()
    {
    }
}

/// <summary>A worker was restarted by its supervisor strategy and is idle again.</summary>
internal sealed record WorkerRestarted(Exception Cause);

/// <summary>Changes the number of workers.</summary>
internal sealed record ResizePool(int Workers);

/// <summary>The automatic resizer's periodic look at the queue.</summary>
internal sealed class ResizeTick
{
    public static readonly ResizeTick Instance = new();

    private ResizeTick()
    {
    }
}

/// <summary>A failed task's backoff has passed; it goes back into the queue.</summary>
internal sealed record RetryDue(long TaskId);

/// <summary>A waiting task's queue timeout has passed.</summary>
internal sealed record QueueExpired(long TaskId);

/// <summary>The rate limiter has a start token for the supervisor (or, if not acquired, was disposed).</summary>
internal sealed record RateTokenReady(bool Acquired);

/// <summary>Completes <paramref name="Completion"/> once every task accepted before it has a recorded outcome.</summary>
internal sealed record AwaitOutcomes(TaskCompletionSource Completion);

/// <summary>Asks the supervisor for its live figures (used by tests and stats).</summary>
internal sealed record GetPoolState(TaskCompletionSource<PoolState> Reply);

/// <summary>The supervisor's live figures.</summary>
internal sealed record PoolState(int Workers, int BusyWorkers, int Queued, long Accepted, long Recorded, int WorkerRestarts, IActorRef Router);

/// <summary>Stores one outcome and notifies whoever waits for it.</summary>
internal sealed record RecordOutcome(TaskResult Result, WorkItem Item);

/// <summary>Completes once every outcome sent before it has been stored.</summary>
internal sealed record FlushOutcomes(TaskCompletionSource Completion);

/// <summary>A worker's own timer: the running task reached its timeout.</summary>
internal sealed record RunDeadline(long TaskId);

/// <summary>A worker's running task ended; <paramref name="Error"/> is null on success.</summary>
internal sealed record RunEnded(long TaskId, Exception? Error);
