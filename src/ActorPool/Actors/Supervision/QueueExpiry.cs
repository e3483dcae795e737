using ActorPool.Work;

namespace ActorPool.Actors.Supervision;

/// <summary>
/// Queue deadlines of waiting tasks, earliest first, so one timer serves them all. A task that
/// starts or leaves before its deadline is simply found no longer waiting when its turn comes.
/// </summary>
internal sealed class QueueExpiry(TimeProvider time)
{
    private readonly PriorityQueue<WorkItem, long> _deadlines = new();

    public int Count => _deadlines.Count;

    /// <summary>Remembers when <paramref name="item"/> stops being allowed to wait: <paramref name="queueTimeout"/> after <paramref name="since"/>.</summary>
    public void Add(WorkItem item, TimeSpan queueTimeout, long since)
    {
        var deadline = since + (long)(queueTimeout.TotalSeconds * time.TimestampFrequency);
        _deadlines.Enqueue(item, deadline);
    }

    /// <summary>Takes every task whose deadline has passed, still waiting or not.</summary>
    public void TakeExpired(List<WorkItem> expired)
    {
        var now = time.GetTimestamp();
        while (_deadlines.TryPeek(out var item, out var deadline) && deadline <= now)
        {
            _deadlines.Dequeue();
            expired.Add(item);
        }
    }

    /// <summary>How long until the earliest deadline, or null when none is left.</summary>
    public TimeSpan? NextDue()
    {
        if (!_deadlines.TryPeek(out _, out var deadline))
        {
            return null;
        }

        var remaining = deadline - time.GetTimestamp();
        return remaining <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)remaining / time.TimestampFrequency);
    }

    public void Clear() => _deadlines.Clear();
}
