using ActorPool.Work;

namespace ActorPool.Admission;

/// <summary>
/// Submit-time deduplication for a pool that gives ids at its own gate (local and durable): one
/// entry per <see cref="TaskOptions.Key"/> while its task is queued or running, and for its
/// deduplication window after. A submit whose key has an entry creates no task; it gets that
/// task's id and, for <c>RunAsync</c>, its outcome. A clustered pool keeps its table in the
/// supervisor singleton instead, where its ids are given.
/// </summary>
/// <remarks>
/// Submitters on any thread and whoever records an outcome share it, so it lives behind one lock,
/// <see cref="_keysLock"/>, held for dictionary work only: joiners are completed after it is let go.
/// A task without a key never comes here.
/// </remarks>
internal sealed class KeyTable(TimeProvider time, TimeSpan defaultWindow)
{
    private readonly Lock _keysLock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Finished entries in the order they finished, so expired ones can be swept.</summary>
    private readonly Queue<(string Key, Entry Entry)> _windows = new();

    private long _joined;

    /// <summary>Submits that joined an existing task instead of creating one.</summary>
    public long Joined => Interlocked.Read(ref _joined);

    /// <summary>
    /// Submits <paramref name="item"/> unless a task with its key exists: then it joins that task
    /// and gets its id; else <paramref name="admit"/> admits it as the key's task.
    /// </summary>
    public Task<long> Admit(WorkItem item, Func<WorkItem, CancellationToken, Task<long>> admit, CancellationToken cancellationToken)
    {
        if (TryJoin(item) is { } joined)
        {
            return joined;
        }

        Task<long> admission;
        try
        {
            admission = admit(item, cancellationToken);
        }
        catch (Exception ex)
        {
            Refused(item, ex);
            throw;
        }

        if (!admission.IsCompleted)
        {
            return FollowAsync(item, admission);
        }

        if (admission.IsCompletedSuccessfully)
        {
            Admitted(item);
        }
        else
        {
            Refused(item, admission.Exception?.InnerException ?? new OperationCanceledException(cancellationToken));
        }

        return admission;
    }

    /// <summary>As <see cref="Admit"/> for a submit that never waits: true if it joined a task or was admitted.</summary>
    public bool TryAdmit(WorkItem item, Func<WorkItem, AdmissionResult> admit, Func<AdmissionResult, Exception> refusal)
    {
        if (TryJoin(item) is not null)
        {
            return true;
        }

        var admission = admit(item);
        if (admission == AdmissionResult.Accepted)
        {
            Admitted(item);
            return true;
        }

        Refused(item, refusal(admission));
        return false;
    }

    /// <summary>A task read back from a durable pool's journal holds its key again.</summary>
    public void Resumed(WorkItem item)
    {
        lock (_keysLock)
        {
            _entries[item.DedupKey!] = new Entry(item) { Id = item.Id };
        }
    }

    /// <summary>A task that finished before a restart keeps its key for what is left of its window.</summary>
    public void ResumedFinished(string key, long id, TaskOutcome outcome, Exception? error, DateTimeOffset until)
    {
        var left = until - time.GetUtcNow();
        if (left <= TimeSpan.Zero)
        {
            return;
        }

        lock (_keysLock)
        {
            var entry = new Entry(leader: null) { Id = id };
            entry.Finish(outcome, error, value: null, time.GetTimestamp() + Ticks(left));
            _entries[key] = entry;
            _windows.Enqueue((key, entry));
        }
    }

    /// <summary>
    /// The key's task has its outcome (called by the outcome recorder before the task lets go of its
    /// value): its joiners complete from it, and the key stays taken for its window.
    /// </summary>
    public void Finished(WorkItem item)
    {
        var key = item.DedupKey!;
        List<WorkItem>? joiners;
        TaskCompletionSource<long>? idSource;
        lock (_keysLock)
        {
            if (!_entries.TryGetValue(key, out var entry) || !ReferenceEquals(entry.Leader, item))
            {
                return;
            }

            entry.Id = item.Id;
            joiners = entry.Joiners;
            idSource = entry.IdSource;
            entry.Joiners = null;
            var window = item.DedupWindow ?? defaultWindow;
            var now = time.GetTimestamp();
            if (window > TimeSpan.Zero)
            {
                entry.Finish(item.Outcome, item.Error, item.ValueForJoiners, now + Ticks(window));
                _windows.Enqueue((key, entry));
            }
            else
            {
                _entries.Remove(key);
            }

            Sweep(now);
        }

        idSource?.TrySetResult(item.Id);
        foreach (var joiner in joiners ?? [])
        {
            joiner.CompleteAsJoiner(item.Outcome, item.Error, item.ValueForJoiners, key);
        }
    }

    /// <summary>Joins the key's task if there is one (its id, or the wait for it); null when <paramref name="item"/> now holds the key.</summary>
    private Task<long>? TryJoin(WorkItem item)
    {
        var key = item.DedupKey!;
        Entry? entry;
        Task<long> id;
        lock (_keysLock)
        {
            if (!_entries.TryGetValue(key, out entry) || entry.ExpiredAt(time.GetTimestamp()))
            {
                _entries[key] = new Entry(item);
                return null;
            }

            Interlocked.Increment(ref _joined);
            id = entry.IdTask();
            if (!entry.IsFinished)
            {
                (entry.Joiners ??= []).Add(item);
                return id;
            }
        }

        // Finished within its window: nothing of it changes any more.
        item.CompleteAsJoiner(entry.Outcome, entry.Error, entry.Value, key);
        return id;
    }

    private void Admitted(WorkItem item)
    {
        TaskCompletionSource<long>? idSource;
        lock (_keysLock)
        {
            if (!_entries.TryGetValue(item.DedupKey!, out var entry) || !ReferenceEquals(entry.Leader, item) || entry.Id != 0)
            {
                return; // finished already, which gave the id
            }

            entry.Id = item.Id;
            idSource = entry.IdSource;
        }

        idSource?.TrySetResult(item.Id);
    }

    /// <summary>The key's would-be task was not accepted: the key is free, and whoever joined it gets the same refusal.</summary>
    private void Refused(WorkItem item, Exception error)
    {
        List<WorkItem>? joiners;
        TaskCompletionSource<long>? idSource;
        lock (_keysLock)
        {
            if (!_entries.TryGetValue(item.DedupKey!, out var entry) || !ReferenceEquals(entry.Leader, item) || entry.IsFinished)
            {
                return;
            }

            _entries.Remove(item.DedupKey!);
            joiners = entry.Joiners;
            idSource = entry.IdSource;
        }

        idSource?.TrySetException(error);
        foreach (var joiner in joiners ?? [])
        {
            joiner.RefuseCaller(error);
        }
    }

    private async Task<long> FollowAsync(WorkItem item, Task<long> admission)
    {
        try
        {
            var id = await admission.ConfigureAwait(false);
            Admitted(item);
            return id;
        }
        catch (Exception ex)
        {
            Refused(item, ex);
            throw;
        }
    }

    private void Sweep(long now)
    {
        while (_windows.TryPeek(out var head) && head.Entry.ExpiredAt(now))
        {
            _windows.Dequeue();
            if (_entries.TryGetValue(head.Key, out var current) && ReferenceEquals(current, head.Entry))
            {
                _entries.Remove(head.Key);
            }
        }
    }

    private long Ticks(TimeSpan span) =>
        span >= OptionLimits.Forever ? long.MaxValue / 2 : (long)(span.TotalSeconds * time.TimestampFrequency);

    /// <summary>One key: its task while it lives, its outcome while its window lasts.</summary>
    private sealed class Entry(WorkItem? leader)
    {
        private Task<long>? _idTask;

        /// <summary>The task that holds the key; null once it finished.</summary>
        public WorkItem? Leader { get; private set; } = leader;

        /// <summary>The task's id; 0 until it is accepted.</summary>
        public long Id { get; set; }

        public List<WorkItem>? Joiners { get; set; }

        /// <summary>For joiners that came before the id was known.</summary>
        public TaskCompletionSource<long>? IdSource { get; private set; }

        public bool IsFinished { get; private set; }

        public TaskOutcome Outcome { get; private set; }

        public Exception? Error { get; private set; }

        public object? Value { get; private set; }

        /// <summary>When the window ends, on the pool's clock.</summary>
        private long Until { get; set; }

        public bool ExpiredAt(long now) => IsFinished && now >= Until;

        public void Finish(TaskOutcome outcome, Exception? error, object? value, long until)
        {
            Outcome = outcome;
            Error = error;
            Value = value;
            Until = until;
            IsFinished = true;
            Leader = null;
        }

        /// <summary>Under the table's lock.</summary>
        public Task<long> IdTask()
        {
            if (Id != 0)
            {
                return _idTask ??= Task.FromResult(Id);
            }

            IdSource ??= new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            return IdSource.Task;
        }
    }
}
