using ActorPool.Messages;

namespace ActorPool.Actors;

/// <summary>An accepted task waiting for a worker, owned by the supervisor.</summary>
internal sealed class QueuedTask(long id, WorkItem item, bool holdsSlot, int attempts, long arrival)
{
    public long Id { get; } = id;

    public WorkItem Item { get; } = item;

    /// <summary>Whether the task holds a Block/Reject queue slot that must be given back when it leaves the queue.</summary>
    public bool HoldsSlot { get; } = holdsSlot;

    /// <summary>Tries made before this wait (0 for a new task).</summary>
    public int Attempts { get; } = attempts;

    /// <summary>The order in which the supervisor received the task (ids may arrive out of order from many threads).</summary>
    public long Arrival { get; } = arrival;

    /// <summary>Start order among equal priorities; set by the queue.</summary>
    public long Sequence { get; set; }

    /// <summary>Left the queue out of order (dropped or expired); skipped when met later.</summary>
    public bool Removed { get; set; }
}

/// <summary>
/// The supervisor's queue of waiting tasks: submission order, or highest priority first with
/// submission order among equals. It can also give up its oldest task (for
/// <see cref="OverflowPolicy.DropOldest"/>) and any task by reference (queue timeout).
/// </summary>
/// <remarks>
/// Out-of-order removals mark the task and leave it in place; both inner queues skip marked
/// tasks and are compacted once they hold more dead entries than live ones, so every
/// operation stays amortised O(log n).
/// </remarks>
internal sealed class TaskQueue(bool byPriority)
{
    private static readonly Comparer<(int Priority, long Sequence)> StartOrder = Comparer<(int Priority, long Sequence)>.Create(
        static (a, b) => a.Priority != b.Priority ? b.Priority.CompareTo(a.Priority) : a.Sequence.CompareTo(b.Sequence));

    /// <summary>Every waiting task in submission order; in priority mode it may also hold tasks already taken.</summary>
    private Queue<QueuedTask> _fifo = new();

    private PriorityQueue<QueuedTask, (int Priority, long Sequence)>? _byPriority = byPriority ? new(StartOrder) : null;

    private long _nextSequence;

    public int Count { get; private set; }

    public void Enqueue(QueuedTask task)
    {
        task.Sequence = _nextSequence++;
        _fifo.Enqueue(task);
        _byPriority?.Enqueue(task, (task.Item.Priority, task.Sequence));
        Count++;
    }

    /// <summary>The task that would start next.</summary>
    public bool TryPeek(out QueuedTask task)
    {
        if (_byPriority is null)
        {
            SkipRemoved(_fifo);
            return _fifo.TryPeek(out task!);
        }

        while (_byPriority.TryPeek(out task!, out _))
        {
            if (!task.Removed)
            {
                return true;
            }

            _byPriority.Dequeue();
        }

        return false;
    }

    /// <summary>Takes the task that would start next.</summary>
    public bool TryDequeue(out QueuedTask task)
    {
        if (!TryPeek(out task))
        {
            return false;
        }

        if (_byPriority is null)
        {
            _fifo.Dequeue();
        }
        else
        {
            _byPriority.Dequeue();
            task.Removed = true; // still in _fifo; skipped there from now on
            CompactIfSparse();
        }

        Count--;
        return true;
    }

    /// <summary>Takes the task submitted first, whatever its priority.</summary>
    public bool TryDequeueOldest(out QueuedTask task)
    {
        SkipRemoved(_fifo);
        if (!_fifo.TryDequeue(out task!))
        {
            return false;
        }

        task.Removed = true; // in priority mode still in the heap; skipped there from now on
        Count--;
        CompactIfSparse();
        return true;
    }

    /// <summary>Takes a given task out of the queue; false if it already left.</summary>
    public bool Remove(QueuedTask task)
    {
        if (task.Removed)
        {
            return false;
        }

        task.Removed = true;
        Count--;
        CompactIfSparse();
        return true;
    }

    /// <summary>Empties the queue, oldest first.</summary>
    public IEnumerable<QueuedTask> DrainOldestFirst()
    {
        while (TryDequeueOldest(out var task))
        {
            yield return task;
        }
    }

    private static void SkipRemoved(Queue<QueuedTask> queue)
    {
        while (queue.TryPeek(out var head) && head.Removed)
        {
            queue.Dequeue();
        }
    }

    private void CompactIfSparse()
    {
        var limit = (2 * Count) + 64;
        if (_fifo.Count > limit)
        {
            _fifo = new Queue<QueuedTask>(_fifo.Where(static t => !t.Removed));
        }

        if (_byPriority is not null && _byPriority.Count > limit)
        {
            var live = _byPriority.UnorderedItems.Where(static e => !e.Element.Removed).ToList();
            _byPriority = new PriorityQueue<QueuedTask, (int Priority, long Sequence)>(live, StartOrder);
        }
    }
}
