namespace ActorPool;

/// <summary>Per-task settings; a <see langword="null"/> member falls back to the pool's default.</summary>
public sealed class TaskOptions
{
    /// <summary>A caller-chosen key kept beside the numeric task id in the <see cref="TaskResult"/>.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? Id { get; init; }

    /// <summary>The task's priority: with <see cref="WorkerPoolOptions.EnablePriority"/> on, a waiting task of higher priority starts first.</summary>
    /// <value>Defaults to 0. Any value is allowed; equal priorities start in submission order.</value>
    public int Priority { get; init; }

    /// <summary>How long the task may run before its token is cancelled and it is recorded <see cref="TaskOutcome.TimedOut"/>.</summary>
    /// <value>Defaults to <see langword="null"/>: use <see cref="WorkerPoolOptions.TaskTimeout"/>. Must be &gt; 0; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> or 24.8 days and more mean no limit.</value>
    public TimeSpan? Timeout { get; init; }

    /// <summary>How long the task may wait in the queue; if it has not started by then it is recorded <see cref="TaskOutcome.TimedOut"/> and never runs.</summary>
    /// <value>Defaults to <see langword="null"/>: use <see cref="WorkerPoolOptions.QueueTimeout"/>. Must be &gt; 0; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> or 24.8 days and more mean no limit.</value>
    public TimeSpan? QueueTimeout { get; init; }

    /// <summary>How many times the task is tried in all if it fails.</summary>
    /// <value>Defaults to <see langword="null"/>: use <see cref="WorkerPoolOptions.MaxAttempts"/>. Must be between 1 and 1,000.</value>
    public int? MaxAttempts { get; init; }

    /// <summary>
    /// A deduplication key: while a task with this key is queued or running, a submit with the same
    /// key creates no second task but answers with the existing task's id (and <c>RunAsync</c> awaits
    /// its result); for <see cref="DeduplicationWindow"/> after it ends, repeats still get the finished task's id.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: no deduplication. At most 256 characters, not blank.</value>
    public string? Key { get; init; }

    /// <summary>How long after a keyed task ends a repeat of its <see cref="Key"/> still answers with its id instead of running again.</summary>
    /// <value>Defaults to <see langword="null"/>: use <see cref="WorkerPoolOptions.DeduplicationWindow"/>. Must be &gt;= 0 and needs a <see cref="Key"/>.</value>
    public TimeSpan? DeduplicationWindow { get; init; }

    /// <summary>
    /// A concurrency key: at most <see cref="WorkerPoolOptions.ConcurrencyLimits"/> of it (or
    /// <see cref="WorkerPoolOptions.DefaultConcurrencyLimit"/>) run at once, across every node of a cluster;
    /// a task over its key's limit waits aside while tasks of other keys run.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: no limit. At most 256 characters, not blank.</value>
    public string? ConcurrencyKey { get; init; }

    /// <summary>
    /// The earliest time the task may start: until then it waits aside, holding no worker and no
    /// queue slot, then it joins the queue. A time already past means no wait.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: no wait. Not together with <see cref="Delay"/>. Compared with the pool's <see cref="WorkerPoolOptions.TimeProvider"/>.</value>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>How long after its submit the task may start; as <see cref="NotBefore"/>, counted from the submit on the pool's clock.</summary>
    /// <value>Defaults to <see langword="null"/>: no wait. From 0 to 3,650 days; not together with <see cref="NotBefore"/>.</value>
    public TimeSpan? Delay { get; init; }

    /// <summary>
    /// When the task may start, where that is a time already: its <see cref="NotBefore"/>, or the
    /// time a <see cref="Delay"/> was fixed to at a submit whose task is journaled or sent to
    /// another node, so the journal and every node read the same time. A local pool counts a
    /// <see cref="Delay"/> from the task's acceptance instead, which costs no copy of the options.
    /// </summary>
    internal DateTimeOffset? DueAt => NotBefore ?? _fixedDue;

    private DateTimeOffset? _fixedDue;

    /// <summary>Called once with the task's recorded result, whatever its outcome, off the pool's dispatch path.</summary>
    /// <value>Defaults to <see langword="null"/>. An exception it throws is logged and otherwise ignored.</value>
    public Action<TaskResult>? OnCompleted { get; init; }

    /// <summary>Checks every property; every submit path calls it before it accepts the task.</summary>
    internal void Validate()
    {
        CheckKey(Key, nameof(Key));
        CheckKey(ConcurrencyKey, nameof(ConcurrencyKey));
        if (DeduplicationWindow is { } window)
        {
            if (window < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(DeduplicationWindow), window, $"{nameof(DeduplicationWindow)} must be >= 0, was: {window}.");
            }

            if (Key is null)
            {
                throw new ArgumentException($"{nameof(DeduplicationWindow)} ({window}) needs a {nameof(Key)}: it says how long a finished task's key keeps refusing repeats.", nameof(DeduplicationWindow));
            }
        }

        if (NotBefore is { } notBefore && Delay is { } delay)
        {
            throw new ArgumentException($"{nameof(NotBefore)} ({notBefore:O}) and {nameof(Delay)} ({delay}) cannot both be set: each says when the task may start.", nameof(Delay));
        }

        if (Delay is { } wait && (wait < TimeSpan.Zero || wait > OptionLimits.MaxDelay))
        {
            throw new ArgumentOutOfRangeException(nameof(Delay), wait, $"{nameof(Delay)} must be from 0 to {OptionLimits.MaxDelay.TotalDays:N0} days, was: {wait}.");
        }

        CheckDuration(Timeout, nameof(Timeout));
        CheckDuration(QueueTimeout, nameof(QueueTimeout));
        if (MaxAttempts is { } attempts)
        {
            WorkerPoolOptions.CheckRange(attempts, 1, OptionLimits.MaxAttempts, nameof(MaxAttempts));
        }
    }

    /// <summary>
    /// Validates <paramref name="options"/> and, where <paramref name="fixDelay"/>, fixes the time a
    /// <see cref="Delay"/> ends; otherwise (and when the time is fixed already) the same instance.
    /// </summary>
    /// <param name="options">The caller's options, or null.</param>
    /// <param name="time">The pool's clock.</param>
    /// <param name="fixDelay">Whether the task is journaled or sent to another node, which must read one time.</param>
    internal static TaskOptions? Prepare(TaskOptions? options, TimeProvider time, bool fixDelay)
    {
        if (options is null)
        {
            return null;
        }

        options.Validate();
        return fixDelay && options.Delay is { } delay && options.DueAt is null ? options.WithDueAt(time.GetUtcNow() + delay) : options;
    }

    /// <summary>The options with their start time fixed (at a submit, or as a journal or another node sent it).</summary>
    internal TaskOptions WithDueAt(DateTimeOffset? dueAt)
    {
        if (dueAt is null || dueAt == DueAt)
        {
            return this;
        }

        // A copy of every member, the caller's instance untouched: it may be shared by many submits.
        var copy = (TaskOptions)MemberwiseClone();
        copy._fixedDue = dueAt;
        return copy;
    }

    /// <summary>A copy with another deduplication key and window, everything else kept: a retry drops the key, a schedule's run gets its occurrence's.</summary>
    internal static TaskOptions? WithKey(TaskOptions? options, string? key, TimeSpan? window) =>
        options is null && key is null ? null : new TaskOptions
        {
            Id = options?.Id,
            Priority = options?.Priority ?? 0,
            Timeout = options?.Timeout,
            QueueTimeout = options?.QueueTimeout,
            MaxAttempts = options?.MaxAttempts,
            ConcurrencyKey = options?.ConcurrencyKey,
            OnCompleted = options?.OnCompleted,
            Key = key,
            DeduplicationWindow = key is null ? null : window,
        };

    /// <summary>When a task with these options, accepted at <paramref name="acceptedAt"/>, may start; null when it need not wait.</summary>
    internal DateTimeOffset? DueFrom(DateTimeOffset acceptedAt) => DueAt ?? (Delay is { } delay ? acceptedAt + delay : null);

    /// <summary>Throws unless <paramref name="key"/> is null or a usable key (shared with the pool's limit table).</summary>
    internal static void CheckKey(string? key, string name)
    {
        if (key is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(key))
        {
            throw new ArgumentException($"{name} must not be empty or blank, was: '{key}'.", name);
        }

        if (key.Length > OptionLimits.MaxKeyLength)
        {
            throw new ArgumentException($"{name} must be at most {OptionLimits.MaxKeyLength} characters, was {key.Length}: '{key[..32]}...'.", name);
        }
    }

    private static void CheckDuration(TimeSpan? value, string name)
    {
        if (value is { } duration && duration <= TimeSpan.Zero && duration != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, duration, $"{name} must be > 0, was: {duration}.");
        }
    }
}
