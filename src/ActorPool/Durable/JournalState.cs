namespace ActorPool.Durable;

/// <summary>
/// What a durable pool's journal stands for, local or clustered, as plain state: the accepted
/// tasks without an outcome, the newest outcomes, and the last id given. Events and snapshots are
/// applied to it the same way while the journal is read back and as they are written, so both
/// persistent actors follow one set of rules for starts, outcomes and snapshots.
/// </summary>
/// <param name="keepOutcomes">How many of the newest outcomes to keep (0 for none).</param>
internal sealed class JournalState(int keepOutcomes)
{
    private readonly Dictionary<long, DurableTask> _unfinished = [];
    private readonly Queue<DurableOutcome> _recent = new();

    /// <summary>Unfinished ids, lowest first; a finished id leaves lazily, once it reaches the top.</summary>
    private readonly PriorityQueue<long, long> _order = new();

    /// <summary>The highest id given or read back.</summary>
    public long LastId { get; private set; }

    /// <summary>Outcomes applied since the last snapshot was due.</summary>
    public int FinishedSinceSnapshot { get; private set; }

    public int UnfinishedCount => _unfinished.Count;

    /// <summary>The unfinished tasks, in order of id: the order they run again in.</summary>
    public IEnumerable<DurableTask> Unfinished => _unfinished.Values.OrderBy(task => task.Id);

    /// <summary>The newest outcomes, oldest first.</summary>
    public IReadOnlyCollection<DurableOutcome> Recent => _recent;

    public bool IsUnfinished(long id) => _unfinished.ContainsKey(id);

    /// <summary>Gives the next id, before the write that journals it.</summary>
    public long IssueId() => ++LastId;

    /// <summary>Ids below this one are all finished (<see cref="long.MaxValue"/> when nothing is unfinished).</summary>
    public long LowestUnfinished()
    {
        while (_order.TryPeek(out var id, out _) && !_unfinished.ContainsKey(id))
        {
            _order.Dequeue();
        }

        return _order.TryPeek(out var lowest, out _) ? lowest : long.MaxValue;
    }

    /// <summary>Applies a journal event or snapshot; anything else is not the journal's and is refused.</summary>
    /// <exception cref="ArgumentException"><paramref name="entry"/> is neither.</exception>
    public void Apply(object entry)
    {
        switch (entry)
        {
            case JournalSnapshot snapshot:
                LastId = Math.Max(LastId, snapshot.LastId);
                Accept(snapshot.Unfinished);
                foreach (var outcome in snapshot.Recent)
                {
                    Remember(outcome);
                }

                break;
            case TasksJournaled journaled:
                Accept(journaled.Tasks);
                break;
            case TasksStarted started:
                foreach (var id in started.Ids)
                {
                    if (_unfinished.TryGetValue(id, out var task))
                    {
                        _unfinished[id] = task with { Attempts = task.Attempts + 1 };
                    }
                }

                break;
            case TasksFinished finished:
                foreach (var outcome in finished.Outcomes)
                {
                    _unfinished.Remove(outcome.Id);
                    Remember(outcome);
                }

                FinishedSinceSnapshot += finished.Outcomes.Length;
                break;
            default:
                throw new ArgumentException($"Not a journal entry: {entry?.GetType().Name ?? "null"}.", nameof(entry));
        }
    }

    /// <summary>Whether enough finished since the last snapshot for another; counting starts again when it says yes.</summary>
    public bool SnapshotDue(int every)
    {
        if (FinishedSinceSnapshot < every)
        {
            return false;
        }

        FinishedSinceSnapshot = 0;
        return true;
    }

    public JournalSnapshot Snapshot() => new(LastId, [.. Unfinished], [.. _recent]);

    private void Accept(DurableTask[] tasks)
    {
        foreach (var task in tasks)
        {
            _unfinished[task.Id] = task;
            _order.Enqueue(task.Id, task.Id);
            LastId = Math.Max(LastId, task.Id);
        }
    }

    private void Remember(DurableOutcome outcome)
    {
        if (keepOutcomes == 0)
        {
            return;
        }

        _recent.Enqueue(outcome);
        while (_recent.Count > keepOutcomes)
        {
            _recent.Dequeue();
        }
    }
}
