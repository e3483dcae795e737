using System.Diagnostics;
using ActorPool.Outcomes;

namespace ActorPool.Work;

/// <summary>
/// One accepted task: what to run, how it is doing, and how its outcome reaches whoever waits.
/// It is the only object a task needs on the hot path: the queue, the batches handed to workers,
/// the result store and the caller's completion all hold this same instance.
/// </summary>
/// <remarks>
/// <para>The state field is changed by compare-and-swap only (see <see cref="ItemState"/>). The
/// outcome fields are written by the one party that won the move to <see cref="ItemState.Settling"/>
/// and published by the move to <see cref="ItemState.Settled"/>.</para>
/// <para>Fields marked "supervisor only" are read and written on the supervisor actor's thread alone.</para>
/// </remarks>
internal abstract class WorkItem : IRecordedOutcome
{
    private int _state;

    private const byte CountedFlag = 1;
    private const byte KeySlotFlag = 2;

    /// <summary>The outcome in a byte: it packs beside the flags, and every item is a task on the hot path.</summary>
    private byte _outcome;

    /// <summary>Flags only the supervisor's thread reads and writes, in one byte: a key costs a keyless task no bytes.</summary>
    private byte _supervisorFlags;

    protected WorkItem(TaskOptions? options) => Options = options;

    /// <summary>The id the caller was given; set once at admission.</summary>
    public long Id { get; set; }

    /// <summary>The caller's per-task settings, or null for the pool's defaults.</summary>
    public TaskOptions? Options { get; }

    /// <summary>The caller-chosen key of <see cref="TaskOptions.Id"/>.</summary>
    public virtual string? Key => Options?.Id;

    /// <summary>The deduplication key of <see cref="TaskOptions.Key"/>.</summary>
    public virtual string? DedupKey => Options?.Key;

    /// <summary>The task's own <see cref="TaskOptions.DeduplicationWindow"/>, or null for the pool's.</summary>
    public virtual TimeSpan? DedupWindow => Options?.DeduplicationWindow;

    /// <summary>Until when a finished keyed task keeps its key taken, for a journal; null when it has no key or no window.</summary>
    /// <param name="poolWindow">The pool's <see cref="WorkerPoolOptions.DeduplicationWindow"/>, for a task without its own.</param>
    /// <param name="endedAt">When the task ended, on the wall clock.</param>
    public DateTimeOffset? KeyTakenUntil(TimeSpan poolWindow, DateTimeOffset endedAt) =>
        DedupKey is not null && (DedupWindow ?? poolWindow) is var window && window > TimeSpan.Zero ? endedAt + OptionLimits.Cap(window) : null;

    /// <summary>The concurrency key of <see cref="TaskOptions.ConcurrencyKey"/>.</summary>
    public virtual string? ConcurrencyKey => Options?.ConcurrencyKey;

    /// <summary>Supervisor only: the task counts against its concurrency key's limit (handed to a worker, not yet reported back).</summary>
    public bool HoldsKeySlot
    {
        get => (_supervisorFlags & KeySlotFlag) != 0;
        set => _supervisorFlags = (byte)(value ? _supervisorFlags | KeySlotFlag : _supervisorFlags & ~KeySlotFlag);
    }

    /// <summary>The start priority of <see cref="TaskOptions.Priority"/>.</summary>
    public virtual int Priority => Options?.Priority ?? 0;

    /// <summary>The node the task ran on, for a task of a clustered pool; null otherwise.</summary>
    public virtual string? Node => null;

    /// <summary>The caller's token: once it fires, the task never starts and a running one is cancelled.</summary>
    public virtual CancellationToken CallerToken => default;

    /// <summary>
    /// Only while someone listens to the pool's traces: the submitter's activity until the task
    /// starts, then the span of its run.
    /// </summary>
    public Activity? Trace { get; set; }

    /// <summary>Supervisor only: who holds the task (<see cref="HolderNone"/>, <see cref="HolderQueue"/> or a worker's number).</summary>
    public int Holder { get; set; } = HolderNone;

    /// <summary>The number of the worker that started the latest run; written by that worker when it claims the task.</summary>
    public int RunBy { get; set; } = HolderNone;

    /// <summary>Supervisor only: bumped at every enqueue, so a stale queue entry can be told from a live one.</summary>
    public int QueueGeneration { get; set; }

    /// <summary>Supervisor only: the settlement has been counted for stop and <c>WaitAsync</c>.</summary>
    public bool Counted
    {
        get => (_supervisorFlags & CountedFlag) != 0;
        set => _supervisorFlags = (byte)(value ? _supervisorFlags | CountedFlag : _supervisorFlags & ~CountedFlag);
    }

    /// <summary>Whether the task holds a queue slot of the admission gate, given back when it leaves the queue.</summary>
    public bool HoldsSlot { get; set; }

    /// <summary>How many times the task has been started.</summary>
    public int Attempts { get; set; }

    /// <summary>
    /// On the pool's clock: when the task was accepted until it first starts (the queue wait counts
    /// from it), then when its latest run started; for a task settled without running, when it was settled.
    /// </summary>
    public long StartTimestamp { get; set; }

    /// <summary>When the latest run ended, on the pool's clock.</summary>
    public long EndTimestamp { get; set; }

    /// <summary>How long the task waited from acceptance to its first start, in seconds; a float fits the object's padding.</summary>
    public float QueueWaitSeconds { get; set; }

    /// <summary>The handler's name, for a named task.</summary>
    public virtual string? HandlerName => null;

    /// <summary>The payload as JSON, for a named task.</summary>
    public virtual byte[]? PayloadJson => null;

    /// <summary>The id of the task this one retries, or 0.</summary>
    public virtual long RetryOf => 0;

    /// <summary>The recorded outcome; meaningful once <see cref="IsSettled"/>.</summary>
    public TaskOutcome Outcome
    {
        get => (TaskOutcome)_outcome;
        private set => _outcome = (byte)value;
    }

    /// <summary>Whether the outcome ends a run (so it has a run time and tells the circuit breaker something).</summary>
    public bool Ran { get; private set; }

    /// <summary>The exception behind the outcome, or behind the last failed try while a retry waits.</summary>
    public Exception? Error { get; set; }

    /// <summary>The current state, one of <see cref="ItemState"/>.</summary>
    public int State => Volatile.Read(ref _state);

    public bool IsSettled => State == ItemState.Settled;

    /// <summary>What a submit that joined this task by its key completes from: its value once it succeeded (the completed run for a closure); read before <see cref="Release"/>.</summary>
    public virtual object? ValueForJoiners => null;

    /// <summary>
    /// Completes this submit from the outcome of the task it joined by key (it never runs itself);
    /// only a caller that awaits the value (<c>RunAsync</c>) has anything to complete.
    /// </summary>
    /// <param name="outcome">The joined task's outcome.</param>
    /// <param name="error">Its exception, or null.</param>
    /// <param name="value">Its <see cref="ValueForJoiners"/>.</param>
    /// <param name="key">The key, for the message when the value does not fit.</param>
    public virtual void CompleteAsJoiner(TaskOutcome outcome, Exception? error, object? value, string key)
    {
    }

    /// <summary>The task waits aside because its concurrency key is at its limit.</summary>
    public const int HolderAside = -3;

    /// <summary>No one holds the task in the supervisor's view.</summary>
    public const int HolderNone = -2;

    /// <summary>The task is in the supervisor's queue.</summary>
    public const int HolderQueue = -1;

    /// <summary>Moves the task from <paramref name="from"/> to <paramref name="to"/> if no one else moved it first.</summary>
    public bool TryMove(int from, int to) => Interlocked.CompareExchange(ref _state, to, from) == from;

    /// <summary>
    /// The supervisor takes the task into its queue: from the inbox, or from a durable pool's
    /// journal; false if its submitter withdrew it first.
    /// </summary>
    public bool TryTakeIntoQueue() => TryMove(ItemState.Inbox, ItemState.Queued) || TryMove(ItemState.Journaled, ItemState.Queued);

    /// <summary>Takes the right to settle the task from state <paramref name="from"/>; pair with <see cref="Publish"/>.</summary>
    public bool TryBeginSettle(int from) => TryMove(from, ItemState.Settling);

    /// <summary>Writes the outcome and makes it visible; only the winner of <see cref="TryBeginSettle"/> calls it.</summary>
    public void Publish(TaskOutcome outcome, Exception? error, long endTimestamp, bool ran)
    {
        Outcome = outcome;
        Error = error;
        Ran = ran;
        EndTimestamp = endTimestamp;
        if (!ran)
        {
            StartTimestamp = endTimestamp;
        }

        Volatile.Write(ref _state, ItemState.Settled);
    }

    /// <summary>Waits out a settlement in progress (a few instructions) and reports whether the task is settled.</summary>
    public bool AwaitSettled()
    {
        var spin = default(SpinWait);
        int state;
        while ((state = State) == ItemState.Settling)
        {
            spin.SpinOnce();
        }

        return state == ItemState.Settled;
    }

    /// <summary>Calls the task's delegate; may throw or return null, which the worker turns into a failure.</summary>
    public abstract Task? Invoke(CancellationToken token);

    /// <summary>Keeps what the caller needs from a run that succeeded (a value, for <c>RunAsync</c>).</summary>
    public virtual void Succeeded(Task completed)
    {
    }

    /// <summary>The outcome is stored: told before anything else hears of it (a journal, the pool's waiters), for a schedule that must know its run is over first.</summary>
    public virtual void Recorded()
    {
    }

    /// <summary>Completes whoever waits for this task's outcome; called once, after the outcome is stored.</summary>
    public virtual void CompleteCaller()
    {
    }

    /// <summary>Fails the caller of a task that was never accepted (it waited for room and was refused, or its token fired); only a caller that awaits the task itself has one.</summary>
    public virtual void RefuseCaller(Exception error)
    {
    }

    /// <summary>Lets go of the delegate and any value once settled, so a retained result holds nothing of the caller's.</summary>
    public abstract void Release();
}
