using ActorPool.Serialization;
using Akka.Actor;

namespace ActorPool.Cluster;

// The messages that cross between nodes of a clustered pool. Each is plain data with a stable
// manifest in PoolMessageSerializer; none relies on a fallback serializer. Payloads and
// results travel as the JSON bytes of named tasks; exceptions travel as type name and message.


/// <summary>Per-task settings that cross the wire; timeouts in milliseconds, -1 for "no limit", null for the pool's default.</summary>
/// <remarks><c>Key</c> is the caller's <see cref="TaskOptions.Id"/>; <c>DedupKey</c> its <see cref="TaskOptions.Key"/>.</remarks>
internal sealed record WireOptions(
    string? Key,
    int Priority,
    long? TimeoutMs,
    long? QueueTimeoutMs,
    int? MaxAttempts,
    string? DedupKey = null,
    long? DedupWindowMs = null,
    string? ConcurrencyKey = null,
    DateTimeOffset? NotBefore = null,
    long? DelayMs = null,
    DateTimeOffset? DueAt = null)
{
    /// <summary>The wire form of a task's settings; null for none.</summary>
    public static WireOptions? From(TaskOptions? options) => options is null ? null : new WireOptions(
        options.Id,
        options.Priority,
        Milliseconds(options.Timeout),
        Milliseconds(options.QueueTimeout),
        options.MaxAttempts,
        options.Key,
        options.DeduplicationWindow is { } window ? Milliseconds(window) : null,
        options.ConcurrencyKey,
        options.NotBefore,
        options.Delay is { } delay ? (long)delay.TotalMilliseconds : null,
        options.DueAt);

    /// <summary>The settings back as <see cref="TaskOptions"/> (callbacks do not cross).</summary>
    public TaskOptions ToTaskOptions() => new TaskOptions
    {
        Id = Key,
        Priority = Priority,
        Timeout = Duration(TimeoutMs),
        QueueTimeout = Duration(QueueTimeoutMs),
        MaxAttempts = MaxAttempts,
        Key = DedupKey,
        DeduplicationWindow = DeduplicationWindow(),
        ConcurrencyKey = ConcurrencyKey,
        NotBefore = NotBefore,
        Delay = DelayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
    }.WithDueAt(DueAt);

    /// <summary>The task's own deduplication window; -1 ms ("no limit") is a window that never ends, not a negative one.</summary>
    /// <remarks>A method, not a property: the record's properties are its wire form.</remarks>
    public TimeSpan? DeduplicationWindow() => DedupWindowMs switch
    {
        null => null,
        < 0 => OptionLimits.Forever,
        { } ms => TimeSpan.FromMilliseconds(ms),
    };

    private static long? Milliseconds(TimeSpan? value) =>
        value is not { } duration ? null : OptionLimits.Limit(duration) is { } limit ? (long)limit.TotalMilliseconds : -1;

    private static TimeSpan? Duration(long? milliseconds) => milliseconds switch
    {
        null => null,
        < 0 => Timeout.InfiniteTimeSpan,
        { } ms => TimeSpan.FromMilliseconds(ms),
    };
}

/// <summary>
/// A named task as a front submits it. <c>Id</c> is 0 for a new task, the task's id when a front
/// submits it again to a new supervisor; <c>Attempts</c> counts tries already made.
/// </summary>
internal sealed record WireSubmit(long Id, string Handler, byte[] Payload, WireOptions? Options, int Attempts);

/// <summary>
/// A named task as a worker runs it: <c>Attempt</c> is which try this is (from 1), <c>TimeoutMs</c>
/// the run timeout (null for none), <c>MaxAttempts</c> the tries allowed in all, for the worker's retry decision.
/// </summary>
internal sealed record WireTask(long Id, string Handler, byte[] Payload, int Attempt, long? TimeoutMs, int MaxAttempts);

/// <summary>
/// How a task run on some node ended: <c>Result</c> is the handler's value as JSON on success,
/// <c>ErrorType</c> and <c>ErrorMessage</c> describe the exception when it failed, <c>RetryWanted</c>
/// says it failed and may try again (by its pool's retry rule), <c>Node</c> is where it ran.
/// </summary>
internal sealed record WireOutcome(
    long Id,
    TaskOutcome Outcome,
    byte[]? Result,
    string? ErrorType,
    string? ErrorMessage,
    long DurationTicks,
    DateTimeOffset StartedAt,
    int Attempts,
    bool RetryWanted,
    string? Node);

/// <summary>
/// A front hands tasks to the supervisor; answered with <see cref="TasksAccepted"/> or
/// <see cref="TasksRefused"/> carrying <c>Correlation</c>. After <c>DeadlineUnixMs</c> the front
/// has given up waiting, so the supervisor refuses rather than accepts. <c>TellStarts</c> asks for
/// <see cref="TasksRunning"/> when the tasks start: the front's queue slots count waiting tasks.
/// </summary>
internal sealed record SubmitTasks(IActorRef Front, long Correlation, long DeadlineUnixMs, WireSubmit[] Tasks, bool TellStarts = false) : IPoolWireMessage;

/// <summary>Tasks of a front that began their first run; they no longer wait, so their queue slots are free.</summary>
internal sealed record TasksRunning(long[] Ids) : IPoolWireMessage;

/// <summary><c>CancelAsync</c> on some node: cancel the task with this id if it waits or runs; answered with <see cref="CancelAnswer"/>.</summary>
internal sealed record CancelById(long Id) : IPoolWireMessage;

/// <summary>Whether the task of a <see cref="CancelById"/> waited or ran and is being cancelled.</summary>
internal sealed record CancelAnswer(long Id, bool Cancelled) : IPoolWireMessage;

/// <summary>To the worker the supervisor handed this task: cancel its run, or skip it if not started yet.</summary>
internal sealed record CancelRunning(long Id) : IPoolWireMessage;

/// <summary>An operator's view: list up to <c>Max</c> tasks that wait or run; answered with <see cref="PendingList"/>.</summary>
internal sealed record ListWaiting(int Max) : IPoolWireMessage;

/// <summary>One task that waits or runs, as the supervisor sees it.</summary>
internal sealed record WirePending(long Id, bool Running, string Handler, string? Key, int Attempts, string? Node);

/// <summary>The answer to <see cref="ListWaiting"/>.</summary>
internal sealed record PendingList(WirePending[] Tasks) : IPoolWireMessage;

/// <summary>The callers of these tasks cancelled their <c>RunAsync</c>: the supervisor records each <c>Cancelled</c> unrun if it still waits.</summary>
internal sealed record CancelTasks(long[] Ids) : IPoolWireMessage;

/// <summary>
/// The supervisor accepted the tasks of a <see cref="SubmitTasks"/>: their ids, in order;
/// <c>Joined</c> marks those that joined an existing task by their deduplication key (null for none).
/// </summary>
internal sealed record TasksAccepted(long Correlation, long[] Ids, bool[]? Joined = null) : IPoolWireMessage;

/// <summary>The supervisor accepted none of the tasks of a <see cref="SubmitTasks"/>.</summary>
internal sealed record TasksRefused(long Correlation, RejectionReason Reason, string Message) : IPoolWireMessage;

/// <summary>A front introduces itself to the supervisor, to hear outcomes and figures.</summary>
internal sealed record RegisterFront(IActorRef Front) : IPoolWireMessage;

/// <summary>
/// A front has handed a new supervisor every task it waits for (after its <see cref="FrontRegistered"/>):
/// once every node's front has, the supervisor's keys are complete again.
/// </summary>
internal sealed record FrontResubmitted(IActorRef Front) : IPoolWireMessage;

/// <summary>The supervisor's answer to <see cref="RegisterFront"/>; its sender is the supervisor itself, to watch.</summary>
internal sealed record FrontRegistered(string SupervisorNode) : IPoolWireMessage;

/// <summary>Outcomes of tasks a front submitted.</summary>
internal sealed record TaskOutcomes(WireOutcome[] Outcomes) : IPoolWireMessage;

/// <summary>Hands a worker tasks to run in order.</summary>
internal sealed record RunTasks(WireTask[] Tasks) : IPoolWireMessage;

/// <summary>A worker ran its batch: how each task ended; <c>More</c> when further parts of the report follow.</summary>
internal sealed record TasksRan(WireOutcome[] Outcomes, bool More = false) : IPoolWireMessage;

/// <summary>A worker is up on a node and pulls its first work.</summary>
internal sealed record WorkerUp(string Node) : IPoolWireMessage;

/// <summary>The supervisor's cluster-wide figures, sent to every front now and then.</summary>
internal sealed record ClusterFigures(
    Dictionary<string, int> WorkersByNode,
    int ActiveWorkers,
    int Queued,
    long Submitted,
    long Rejected,
    long Retried,
    long[] Outcomes,
    long MeanDurationTicks,
    long P99DurationTicks,
    long Resumed = 0,
    long Recovered = 0,
    long Deduplicated = 0,
    int WaitingForKey = 0,
    int Delayed = 0) : IPoolWireMessage;
