namespace ActorPool;

/// <summary>
/// The pool's results, keyed by task id and bounded to the most recent
/// <c>capacity</c> outcomes. Written by the result aggregator, read by any thread.
/// </summary>
internal sealed class ResultStore(int capacity)
{
    /// <summary>Guards <see cref="_results"/> and <see cref="_order"/>; held only for O(1) work or one copy.</summary>
    private readonly Lock _resultsLock = new();

    private readonly Dictionary<long, TaskResult> _results = [];

    /// <summary>Task ids in the order their outcomes arrived, for evicting the oldest.</summary>
    private readonly Queue<long> _order = new();

    public void Add(TaskResult result)
    {
        lock (_resultsLock)
        {
            if (capacity == 0)
            {
                return;
            }

            if (_results.TryAdd(result.TaskId, result))
            {
                _order.Enqueue(result.TaskId);
                if (_order.Count > capacity)
                {
                    _results.Remove(_order.Dequeue());
                }
            }
        }
    }

    public Dictionary<long, TaskResult> Snapshot()
    {
        lock (_resultsLock)
        {
            return new Dictionary<long, TaskResult>(_results);
        }
    }
}
