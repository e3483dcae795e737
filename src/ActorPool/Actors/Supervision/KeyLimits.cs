using ActorPool.Work;

namespace ActorPool.Actors.Supervision;

/// <summary>
/// Per-key concurrency for a supervisor (local or the cluster's singleton): how many tasks of each
/// <see cref="TaskOptions.ConcurrencyKey"/> are out with workers, and the tasks that wait aside
/// because their key is at its limit, so they do not block the queue for tasks of other keys.
/// </summary>
/// <remarks>
/// A task counts against its key from the moment it is handed to a worker until the supervisor
/// hears that its run ended (or that it went back unrun), so the limit holds for what actually
/// runs. A task set aside keeps its place: when its key frees a slot it goes back to the head of
/// the queue. Supervisor only; nothing here is thread-safe.
/// </remarks>
internal sealed class KeyLimits
{
    private readonly Dictionary<string, int> _limits;
    private readonly int? _defaultLimit;
    private readonly Dictionary<string, int> _out = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<WorkItem>> _aside = new(StringComparer.Ordinal);

    private KeyLimits(IDictionary<string, int> limits, int? defaultLimit)
    {
        _limits = new Dictionary<string, int>(limits, StringComparer.Ordinal);
        _defaultLimit = defaultLimit;
    }

    /// <summary>Tasks waiting aside for their key.</summary>
    public int AsideCount { get; private set; }

    /// <summary>The limits of <paramref name="options"/>, or null when it sets none (a concurrency key then limits nothing).</summary>
    public static KeyLimits? For(WorkerPoolOptions options) =>
        options.ConcurrencyLimits.Count == 0 && options.DefaultConcurrencyLimit is null ? null : new KeyLimits(options.ConcurrencyLimits, options.DefaultConcurrencyLimit);

    /// <summary>
    /// Takes a slot of the task's key for it, true when it may go to a worker; false when its key is
    /// at its limit, and then the task waits aside (taken out of the queue first by the caller).
    /// </summary>
    public bool TryTake(WorkItem item)
    {
        if (item.ConcurrencyKey is not { } key || LimitOf(key) is not { } limit)
        {
            return true;
        }

        var running = _out.GetValueOrDefault(key);
        if (running < limit)
        {
            _out[key] = running + 1;
            item.HoldsKeySlot = true;
            return true;
        }

        if (!_aside.TryGetValue(key, out var waiting))
        {
            waiting = new Queue<WorkItem>();
            _aside[key] = waiting;
        }

        item.Holder = WorkItem.HolderAside;
        waiting.Enqueue(item);
        AsideCount++;
        return false;
    }

    /// <summary>Whether the task would have to wait aside now.</summary>
    public bool IsAtLimit(WorkItem item) =>
        item.ConcurrencyKey is { } key && LimitOf(key) is { } limit && _out.GetValueOrDefault(key) >= limit;

    /// <summary>
    /// The task no longer counts against its key (its run ended, or it went back unrun); returns the
    /// first task waiting aside for that key, now to be queued again, or null.
    /// </summary>
    public WorkItem? Release(WorkItem item)
    {
        if (!item.HoldsKeySlot)
        {
            return null;
        }

        item.HoldsKeySlot = false;
        var key = item.ConcurrencyKey!;
        var left = _out.GetValueOrDefault(key) - 1;
        if (left > 0)
        {
            _out[key] = left;
        }
        else
        {
            _out.Remove(key);
        }

        return TakeAside(key);
    }

    /// <summary>Takes a task out of waiting aside (it expired or was cancelled); false if it was not there.</summary>
    public bool Remove(WorkItem item)
    {
        if (item.Holder != WorkItem.HolderAside)
        {
            return false;
        }

        item.Holder = WorkItem.HolderNone; // its queue entry is skipped when met
        AsideCount--;
        return true;
    }

    /// <summary>The tasks waiting aside, for an operator's view and cancel by id.</summary>
    public IEnumerable<WorkItem> Aside() =>
        _aside.Values.SelectMany(static q => q).Where(static item => item.Holder == WorkItem.HolderAside);

    /// <summary>Empties every aside queue (a stop), oldest first per key.</summary>
    public List<WorkItem> DrainAside()
    {
        var all = new List<WorkItem>(AsideCount);
        foreach (var waiting in _aside.Values)
        {
            while (waiting.TryDequeue(out var item))
            {
                if (Remove(item))
                {
                    all.Add(item);
                }
            }
        }

        _aside.Clear();
        return all;
    }

    private WorkItem? TakeAside(string key)
    {
        if (!_aside.TryGetValue(key, out var waiting))
        {
            return null;
        }

        while (waiting.TryDequeue(out var next))
        {
            if (Remove(next))
            {
                if (waiting.Count == 0)
                {
                    _aside.Remove(key);
                }

                return next;
            }
        }

        _aside.Remove(key);
        return null;
    }

    private int? LimitOf(string key) => _limits.TryGetValue(key, out var limit) ? limit : _defaultLimit;
}
