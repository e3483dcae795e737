using System.Collections.Concurrent;
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
/// Submitters on any thread and whoever records an outcome share it. The table is a concurrent
/// dictionary, so submits of different keys do not wait for each other; what one key's entry
/// holds (its id, joiners, outcome) changes only under that entry's own lock, <see cref="Entry"/>
/// being its lock object. An entry taken out of the table is marked removed under its lock, so a
/// submit that found it a moment before tries again. Joiners are completed after the lock is let
/// go. A task without a key never comes here.
/// </remarks>
internal sealed class KeyTable(TimeProvider time, TimeSpan defaultWindow)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Finished entries in the order they finished, swept once their window ends.</summary>
    private readonly ConcurrentQueue<(string Key, Entry Entry)> _windows = new();

    /// <summary>Taken by whoever sweeps <see cref="_windows"/>; a thread that finds it taken leaves the sweep to its holder.</summary>
    private readonly Lock _sweepLock = new();

    private long _joined;

    /// <summary>Submits that joined an existing task instead of creating one.</summary>
    public long Joined => Interlocked.Read(ref _joined);

    /// <summary>
    /// Submits <paramref name="item"/> unless a task with its key exists: then it joins that task
    /// and gets its id; else <paramref name="admit"/> admits it as the key's task. Null, as from
    /// <paramref name="admit"/>, means accepted at once (the id is the item's).
    /// </summary>
    public Task<long>? Admit(WorkItem item, Func<WorkItem, CancellationToken, Task<long>?> admit, CancellationToken cancellationToken)
    {
        if (TryJoin(item) is { } joined)
        {
            return joined;
        }

        Task<long>? admission;
        try
        {
            admission = admit(item, cancellationToken);
        }
        catch (Exception ex)
        {
            Refused(item, ex);
            throw;
        }

        if (admission is null || admission.IsCompletedSuccessfully)
        {
            Admitted(item);
            return admission;
        }

        if (!admission.IsCompleted)
        {
            return FollowAsync(item, admission);
        }

        Refused(item, admission.Exception?.InnerException ?? new OperationCanceledException(cancellationToken));
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
    public void Resumed(WorkItem item) => _entries[item.DedupKey!] = new Entry(item) { Id = item.Id };

    /// <summary>A task that finished before a restart keeps its key for what is left of its window.</summary>
    public void ResumedFinished(string key, long id, TaskOutcome outcome, Exception? error, DateTimeOffset until)
    {
        var left = until - time.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            var entry = new Entry(leader: null) { Id = id };
            entry.Finish(new Ending(outcome, error, Value: null, time.GetTimestamp() + OptionLimits.Timestamps(left, time)));
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
        if (!_entries.TryGetValue(key, out var entry))
        {
            return;
        }

        List<WorkItem>? joiners;
        TaskCompletionSource<long>? idSource;
        var window = item.DedupWindow ?? defaultWindow;
        var now = time.GetTimestamp();
        lock (entry)
        {
            if (!ReferenceEquals(entry.Leader, item))
            {
                return;
            }

            entry.Id = item.Id;
            joiners = entry.Joiners;
            idSource = entry.IdSource;
            entry.Joiners = null;
            if (window > TimeSpan.Zero)
            {
                entry.Finish(new Ending(item.Outcome, item.Error, item.ValueForJoiners, now + OptionLimits.Timestamps(window, time)));
            }
            else
            {
                entry.Removed = true;
            }
        }

        if (entry.Removed)
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        }
        else
        {
            _windows.Enqueue((key, entry));
        }

        Sweep(now);
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
        Entry? fresh = null;
        while (true)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                fresh ??= new Entry(item);
                if (_entries.TryAdd(key, fresh))
                {
                    return null;
                }

                continue;
            }

            Task<long> id;
            Ending? finished;
            lock (entry)
            {
                if (!entry.Removed && entry.Done is { } done && time.GetTimestamp() >= done.Until)
                {
                    entry.Removed = true; // its window is over: the key is free
                }

                if (entry.Removed)
                {
                    id = null!;
                    finished = null;
                }
                else
                {
                    id = entry.IdTask();
                    finished = entry.Done;
                    if (finished is null)
                    {
                        (entry.Joiners ??= []).Add(item);
                    }
                }
            }

            if (entry.Removed)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
                continue;
            }

            Interlocked.Increment(ref _joined);
            if (finished is not null)
            {
                item.CompleteAsJoiner(finished.Outcome, finished.Error, finished.Value, key); // finished within its window
            }

            return id;
        }
    }

    private void Admitted(WorkItem item)
    {
        if (!_entries.TryGetValue(item.DedupKey!, out var entry))
        {
            return;
        }

        TaskCompletionSource<long>? idSource;
        lock (entry)
        {
            if (!ReferenceEquals(entry.Leader, item) || entry.Id != 0)
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
        var key = item.DedupKey!;
        if (!_entries.TryGetValue(key, out var entry))
        {
            return;
        }

        List<WorkItem>? joiners;
        TaskCompletionSource<long>? idSource;
        lock (entry)
        {
            if (!ReferenceEquals(entry.Leader, item) || entry.Removed)
            {
                return;
            }

            entry.Removed = true;
            joiners = entry.Joiners;
            idSource = entry.IdSource;
        }

        _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
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

    /// <summary>Takes keys whose window ended out of the table; one thread sweeps at a time, the others go on.</summary>
    private void Sweep(long now)
    {
        if (!_sweepLock.TryEnter())
        {
            return;
        }

        try
        {
            while (_windows.TryPeek(out var head) && head.Entry.Done is { } done && now >= done.Until && _windows.TryDequeue(out head))
            {
                lock (head.Entry)
                {
                    head.Entry.Removed = true;
                }

                _entries.TryRemove(new KeyValuePair<string, Entry>(head.Key, head.Entry));
            }
        }
        finally
        {
            _sweepLock.Exit();
        }
    }

    /// <summary>How a key's task ended, kept for its window: repeats complete from it.</summary>
    private sealed record Ending(TaskOutcome Outcome, Exception? Error, object? Value, long Until);

    /// <summary>One key: its task while it lives, its outcome while its window lasts. It is its own lock.</summary>
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

        /// <summary>Set once the task finished and its window began; never changes after.</summary>
        public Ending? Done { get; private set; }

        /// <summary>Taken out of the table (or about to be): a submit that finds it looks again.</summary>
        public bool Removed { get; set; }

        public void Finish(Ending done)
        {
            Done = done;
            Leader = null;
        }

        /// <summary>Under the entry's lock.</summary>
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
