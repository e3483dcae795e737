using ActorPool.Work;

namespace ActorPool.Actors.Supervision;

/// <summary>
/// Accepted tasks waiting for their <see cref="TaskOptions.NotBefore"/> or <see cref="TaskOptions.Delay"/>:
/// held aside, earliest first, with one timer on the pool's clock for the earliest. They hold no
/// worker and no queue slot; when their time comes they join the queue.
/// </summary>
/// <remarks>The supervisor's alone; the timer only posts a message to it.</remarks>
internal sealed class DelayedTasks(TimeProvider time, Action onDue)
{
    /// <summary>The longest a timer is armed for: a later time is reached in steps (timers take at most about 49 days).</summary>
    private static readonly TimeSpan MaxArm = TimeSpan.FromDays(1);

    /// <summary>Ordered by time, then id: tasks due together start in submission order.</summary>
    private readonly PriorityQueue<WorkItem, (DateTimeOffset Due, long Id)> _waiting = new();

    /// <summary>Ids cancelled or taken out while their entry stays in the heap: skipped when it comes up.</summary>
    private readonly HashSet<long> _removed = [];

    private ITimer? _timer;
    private DateTimeOffset _armedFor = DateTimeOffset.MaxValue;

    public int Count => _waiting.Count - _removed.Count;

    /// <summary>Whether <paramref name="dueAt"/> (a task's <c>DueAt</c>) is still to come.</summary>
    public bool IsFuture(DateTimeOffset? dueAt, out DateTimeOffset due)
    {
        due = dueAt ?? default;
        return dueAt is not null && due > time.GetUtcNow();
    }

    /// <summary>Holds a task until <paramref name="due"/>.</summary>
    public void Add(WorkItem item, DateTimeOffset due)
    {
        _waiting.Enqueue(item, (due, item.Id));
        Arm();
    }

    /// <summary>Moves every task whose time has come to <paramref name="due"/>, earliest first, and re-arms for the next.</summary>
    public void TakeDue(List<WorkItem> due)
    {
        var now = time.GetUtcNow();
        while (_waiting.TryPeek(out var item, out var at) && at.Due <= now)
        {
            _waiting.Dequeue();
            if (!_removed.Remove(item.Id))
            {
                due.Add(item);
            }
        }

        _armedFor = DateTimeOffset.MaxValue;
        Arm();
    }

    /// <summary>Takes task <paramref name="id"/> out, if it waits here.</summary>
    /// <remarks>A scan: only a cancel or a removal of a delayed task pays it, and an index by id would cost
    /// every waiting task about 30 to 50 bytes more against its 200-byte budget.</remarks>
    public bool TryTake(long id, out WorkItem item)
    {
        foreach (var (waiting, _) in _waiting.UnorderedItems)
        {
            if (waiting.Id == id && _removed.Add(id))
            {
                item = waiting;
                return true;
            }
        }

        item = null!;
        return false;
    }

    /// <summary>The waiting tasks, in no order.</summary>
    public IEnumerable<WorkItem> Waiting => _waiting.UnorderedItems.Select(static entry => entry.Element).Where(item => !_removed.Contains(item.Id));

    /// <summary>Empties the schedule: the pool stops. Each task comes with its time.</summary>
    public List<(WorkItem Item, DateTimeOffset Due)> TakeAll()
    {
        var all = _waiting.UnorderedItems.Where(entry => !_removed.Contains(entry.Element.Id)).Select(static entry => (entry.Element, entry.Priority.Due)).ToList();
        _waiting.Clear();
        _removed.Clear();
        StopTimer();
        return all;
    }

    /// <summary>Lets go of the timer; the next <see cref="Add"/> makes another.</summary>
    public void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
        _armedFor = DateTimeOffset.MaxValue;
    }

    private void Arm()
    {
        if (!_waiting.TryPeek(out _, out var next) || next.Due >= _armedFor)
        {
            return;
        }

        _armedFor = next.Due;
        var wait = next.Due - time.GetUtcNow();
        wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxArm ? MaxArm : wait;
        _timer ??= time.CreateTimer(static state => ((Action)state!)(), onDue, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(wait, Timeout.InfiniteTimeSpan);
    }
}
