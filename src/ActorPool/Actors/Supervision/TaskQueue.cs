using ActorPool.Work;

namespace ActorPool.Actors.Supervision;

/// <summary>
/// The supervisor's queue of waiting tasks: submission order, or highest priority first with
/// submission order among equals. It can also give up its oldest task (for
/// <see cref="OverflowPolicy.DropOldest"/>) and any task by reference (queue timeout, caller cancel).
/// </summary>
/// <remarks>
/// A task is in the queue while its <see cref="WorkItem.Holder"/> is <see cref="WorkItem.HolderQueue"/>.
/// Out-of-order removals leave a stale entry behind; each entry remembers the task's
/// <see cref="WorkItem.QueueGeneration"/>, so an entry left from an earlier stay in the queue (a task
/// tried again) is told from the live one. Stale entries are skipped when met and compacted away
/// once they outnumber live ones, so every operation stays amortised O(log n) with no allocation per task.
/// </remarks>
internal sealed class TaskQueue(bool byPriority)
{
    private static readonly Comparer<(int Priority, long Sequence)> StartOrder = Comparer<(int Priority, long Sequence)>.Create(
        static (a, b) => a.Priority != b.Priority ? b.Priority.CompareTo(a.Priority) : a.Sequence.CompareTo(b.Sequence));

    /// <summary>Tasks put back at the head (their worker was lost), served before <see cref="_fifo"/>.</summary>
    private Queue<Entry> _front = new();

    /// <summary>Every waiting task in submission order; in priority mode it may also hold stale entries.</summary>
    private Queue<Entry> _fifo = new();

    private long _frontSequence;

    private PriorityQueue<Entry, (int Priority, long Sequence)>? _byPriority = byPriority ? new(StartOrder) : null;

    private long _nextSequence;

    public int Count { get; private set; }

    /// <summary>Adds a task at the back (of its priority).</summary>
    public void Enqueue(WorkItem item)
    {
        item.Holder = WorkItem.HolderQueue;
        item.QueueGeneration++;
        var entry = new Entry(item, item.QueueGeneration);
        _fifo.Enqueue(entry);
        _byPriority?.Enqueue(entry, (item.Priority, _nextSequence++));
        Count++;
    }

    /// <summary>Puts a task back at the head: it was handed out and its worker was lost before starting it.</summary>
    public void EnqueueFront(WorkItem item)
    {
        item.Holder = WorkItem.HolderQueue;
        item.QueueGeneration++;
        var entry = new Entry(item, item.QueueGeneration);
        _front.Enqueue(entry);
        _byPriority?.Enqueue(entry, (item.Priority, --_frontSequence));
        Count++;
    }

    /// <summary>The task that would start next.</summary>
    public bool TryPeek(out WorkItem item)
    {
        if (_byPriority is null)
        {
            var queue = Head();
            var found = queue.TryPeek(out var head);
            item = head.Item;
            return found;
        }

        while (_byPriority.TryPeek(out var entry, out _))
        {
            if (entry.IsLive)
            {
                item = entry.Item;
                return true;
            }

            _byPriority.Dequeue();
        }

        item = null!;
        return false;
    }

    /// <summary>Takes the task that would start next.</summary>
    public bool TryDequeue(out WorkItem item)
    {
        if (!TryPeek(out item))
        {
            return false;
        }

        if (_byPriority is null)
        {
            Head().Dequeue();
        }
        else
        {
            _byPriority.Dequeue();
        }

        Left(item);
        return true;
    }

    /// <summary>Takes the task submitted first, whatever its priority.</summary>
    public bool TryDequeueOldest(out WorkItem item)
    {
        if (!Head().TryDequeue(out var entry))
        {
            item = null!;
            return false;
        }

        item = entry.Item;
        Left(item);
        return true;
    }

    /// <summary>Takes a given task out of the queue; false if it is not in it.</summary>
    public bool Remove(WorkItem item)
    {
        if (item.Holder != WorkItem.HolderQueue)
        {
            return false;
        }

        Left(item);
        return true;
    }

    /// <summary>The waiting tasks, the put-back ones first then in submission order; for an operator's view and cancel by id, not the hot path.</summary>
    public IEnumerable<WorkItem> Waiting() =>
        _front.Concat(_fifo).Where(static e => e.IsLive).Select(static e => e.Item);

    /// <summary>Empties the queue, oldest first.</summary>
    public IEnumerable<WorkItem> DrainOldestFirst()
    {
        while (TryDequeueOldest(out var item))
        {
            yield return item;
        }
    }

    /// <summary>The queue holding the oldest live entry: the put-back tasks first.</summary>
    private Queue<Entry> Head()
    {
        SkipStale(_front);
        if (_front.Count > 0)
        {
            return _front;
        }

        SkipStale(_fifo);
        return _fifo;
    }

    private static void SkipStale(Queue<Entry> queue)
    {
        while (queue.TryPeek(out var head) && !head.IsLive)
        {
            queue.Dequeue();
        }
    }

    private void Left(WorkItem item)
    {
        item.Holder = WorkItem.HolderNone;
        Count--;
        CompactIfSparse();
    }

    private void CompactIfSparse()
    {
        var limit = (2 * Count) + 64;
        if (_fifo.Count + _front.Count > limit)
        {
            _fifo = new Queue<Entry>(_fifo.Where(static e => e.IsLive));
            _front = new Queue<Entry>(_front.Where(static e => e.IsLive));
        }

        if (_byPriority is not null && _byPriority.Count > limit)
        {
            var live = _byPriority.UnorderedItems.Where(static e => e.Element.IsLive).ToList();
            _byPriority = new PriorityQueue<Entry, (int Priority, long Sequence)>(live, StartOrder);
        }
    }

    /// <summary>One stay of a task in the queue.</summary>
    private readonly record struct Entry(WorkItem Item, int Generation)
    {
        public bool IsLive => Item.Holder == WorkItem.HolderQueue && Item.QueueGeneration == Generation;
    }
}
