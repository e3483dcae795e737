using ActorPool.Work;
using Akka.Actor;

namespace ActorPool.Messages;

// Every message the pool's actors exchange within one process. Commands are verbs, events past
// tense, replies nouns. None crosses the wire (they carry delegates and completion sources), so
// each skips Akka's serialization check; the cluster's messages are in Cluster/ClusterProtocol.cs.
// Replies travel as completion sources inside the message: one allocation per request instead of
// a temporary actor and a timer per Ask. Tasks travel as the one WorkItem each task has.

/// <summary>The inbox holds accepted tasks: take them in.</summary>
internal sealed class DrainInbox : INoSerializationVerificationNeeded
{
    public static readonly DrainInbox Instance = new();

    private DrainInbox()
    {
    }
}

/// <summary>Lets queued tasks reach workers.</summary>
internal sealed class StartPool : INoSerializationVerificationNeeded
{
    public static readonly StartPool Instance = new();

    private StartPool()
    {
    }
}

/// <summary>
/// A durable pool's journal gives ids on from <c>LastId</c>, the last one of earlier runs: the
/// supervisor's books count new ids from there, and take tasks resumed with older ids as they come.
/// </summary>
internal sealed record IdsAfter(long LastId) : INoSerializationVerificationNeeded;

/// <summary>The start token was cancelled: queued tasks are cancelled and new ones refused.</summary>
internal sealed class CancelPool : INoSerializationVerificationNeeded
{
    public static readonly CancelPool Instance = new();

    private CancelPool()
    {
    }
}

/// <summary>Begins a graceful stop; <paramref name="Completion"/> completes once every accepted task has an outcome.</summary>
internal sealed record StopPool(TaskCompletionSource Completion) : INoSerializationVerificationNeeded;

/// <summary>The stop is no longer graceful: cancel what runs, record it, finish now.</summary>
internal sealed class ForceStop : INoSerializationVerificationNeeded
{
    public static readonly ForceStop Instance = new();

    private ForceStop()
    {
    }
}

/// <summary>The shutdown timeout elapsed while stopping.</summary>
internal sealed class ShutdownDeadline : INoSerializationVerificationNeeded
{
    public static readonly ShutdownDeadline Instance = new();

    private ShutdownDeadline()
    {
    }
}

/// <summary>Hands a worker tasks to run in order; one, unless tasks are tiny.</summary>
/// <param name="Items">The tasks; some may be started or settled by others before the worker reaches them.</param>
/// <param name="Worker">The worker's number, which it stamps on the tasks it starts.</param>
internal sealed record RunBatch(WorkItem[] Items, int Worker) : INoSerializationVerificationNeeded;

/// <summary>A worker finished its batch and is free.</summary>
/// <param name="Runs">How many of the batch's tasks it ran.</param>
/// <param name="RunTicks">Their run time in all, in <see cref="TimeSpan"/> ticks.</param>
internal sealed record BatchDone(int Runs, long RunTicks) : INoSerializationVerificationNeeded;

/// <summary>A worker is new and pulls its first work.</summary>
internal sealed class WorkerReady : INoSerializationVerificationNeeded
{
    public static readonly WorkerReady Instance = new();

    private WorkerReady()
    {
    }
}

/// <summary>A worker was restarted by its supervisor strategy and is idle again.</summary>
internal sealed record WorkerRestarted(Exception Cause) : INoSerializationVerificationNeeded;

/// <summary>A task was settled away from its worker (at its deadline): count it.</summary>
internal sealed record TaskSettled(WorkItem Item) : INoSerializationVerificationNeeded;

/// <summary>Changes the number of workers.</summary>
internal sealed record ResizePool(int Workers) : INoSerializationVerificationNeeded;

/// <summary><c>CancelAsync</c>: cancel the task with this id if it waits or runs; the reply says whether it did.</summary>
internal sealed record CancelTask(long Id, TaskCompletionSource<bool> Reply) : INoSerializationVerificationNeeded;

/// <summary>To the worker running <c>Item</c>: cancel that run's token, if it still runs it.</summary>
internal sealed record CancelRun(WorkItem Item) : INoSerializationVerificationNeeded;

/// <summary>An operator's view: list up to <c>Max</c> tasks that wait or run.</summary>
internal sealed record ListPending(int Max, TaskCompletionSource<IReadOnlyList<ActorPool.Diagnostics.PendingTask>> Reply) : INoSerializationVerificationNeeded;

/// <summary>The automatic resizer's periodic look at the queue.</summary>
internal sealed class ResizeTick : INoSerializationVerificationNeeded
{
    public static readonly ResizeTick Instance = new();

    private ResizeTick()
    {
    }
}

/// <summary>Idle workers look for tasks waiting behind a long one in another worker's batch.</summary>
internal sealed class StealTick : INoSerializationVerificationNeeded
{
    public static readonly StealTick Instance = new();

    private StealTick()
    {
    }
}

/// <summary>The earliest queue deadline is due.</summary>
internal sealed class ExpiryTick : INoSerializationVerificationNeeded
{
    public static readonly ExpiryTick Instance = new();

    private ExpiryTick()
    {
    }
}

/// <summary>The earliest delayed task's time has come.</summary>
internal sealed class DelaysDue : INoSerializationVerificationNeeded
{
    public static readonly DelaysDue Instance = new();

    private DelaysDue()
    {
    }
}

/// <summary>A durable pool drains: delayed tasks are recorded Cancelled now (its journal keeps them unfinished, to run after the restart) instead of being waited for.</summary>
internal sealed class StopDelays : INoSerializationVerificationNeeded
{
    public static readonly StopDelays Instance = new();

    private StopDelays()
    {
    }
}

/// <summary>A failed task's backoff has passed; it goes back into the queue.</summary>
internal sealed record RetryDue(long TaskId) : INoSerializationVerificationNeeded;

/// <summary>The rate limiter has a start token for the supervisor (or, if not acquired, was disposed).</summary>
internal sealed record RateTokenReady(bool Acquired) : INoSerializationVerificationNeeded;

/// <summary>Completes <paramref name="Completion"/> once every task with an id up to <paramref name="LastId"/> (those accepted before the call) has a recorded outcome.</summary>
internal sealed record AwaitOutcomes(TaskCompletionSource Completion, long LastId) : INoSerializationVerificationNeeded;

/// <summary>Asks the supervisor for its live figures (used by tests and stats).</summary>
internal sealed record GetPoolState(TaskCompletionSource<PoolState> Reply) : INoSerializationVerificationNeeded;

/// <summary>The supervisor's live figures.</summary>
internal sealed record PoolState(int Workers, int BusyWorkers, int Queued, long Accepted, long Recorded, int WorkerRestarts, IActorRef Router) : INoSerializationVerificationNeeded;

/// <summary>Calls the user's callbacks for one recorded outcome.</summary>
internal sealed record RecordOutcome(TaskResult Result, Action<TaskResult>? OnCompleted) : INoSerializationVerificationNeeded;

/// <summary>Completes once every outcome sent before it has had its callbacks.</summary>
internal sealed record FlushOutcomes(TaskCompletionSource Completion) : INoSerializationVerificationNeeded;

/// <summary>A worker's running task ended; the worker reads how from the task itself.</summary>
internal sealed class RunEnded : INoSerializationVerificationNeeded
{
    public static readonly RunEnded Instance = new();

    private RunEnded()
    {
    }
}
