using ActorPool.Work;

namespace ActorPool.Outcomes;

/// <summary>
/// The pool's recorded outcomes: the most recent <c>capacity</c> settled tasks in the order they
/// were settled, a count per outcome and run-time totals. Written by whoever settles a task
/// (workers, deadline timers, the supervisor), read by any thread.
/// </summary>
/// <remarks>
/// The store keeps the settled <see cref="WorkItem"/>s themselves and builds
/// <see cref="TaskResult"/> copies only when asked, so recording an outcome allocates nothing.
/// Slots live in chunks allocated on first use, so a large capacity costs memory only once it fills.
/// </remarks>
internal sealed class ResultStore
{
    /// <summary>Run times kept for the percentile.</summary>
    public const int DurationWindow = 4096;

    private const int ChunkBits = 12;
    private const int ChunkSize = 1 << ChunkBits;

    private readonly int _capacity;
    private readonly WorkItem?[]?[] _chunks;
    private readonly TimeProvider _time;

    /// <summary>Converts the pool clock's timestamps to wall-clock times.</summary>
    private readonly DateTimeOffset _wallAtOrigin;
    private readonly long _timestampAtOrigin;

    /// <summary>The counts of settlers without a tally of their own.</summary>
    private readonly OutcomeTally _shared = new();

    /// <summary>Guards <see cref="_tallies"/>: workers come and go, readers add the tallies up.</summary>
    private readonly Lock _talliesLock = new();
    private readonly List<OutcomeTally> _tallies = [];

    /// <summary>Settled tasks so far; also the next slot of the ring.</summary>
    private long _settled;

    public ResultStore(int capacity, TimeProvider time)
    {
        _capacity = capacity;
        _time = time;
        _chunks = new WorkItem?[]?[(capacity + ChunkSize - 1) / ChunkSize];
        _wallAtOrigin = time.GetUtcNow();
        _timestampAtOrigin = time.GetTimestamp();
    }

    /// <summary>Tasks settled so far.</summary>
    public long Settled => Interlocked.Read(ref _settled);

    /// <summary>A tally for one writer (a worker); hand it back with <see cref="RetireTally"/>.</summary>
    public OutcomeTally CreateTally()
    {
        var tally = new OutcomeTally();
        lock (_talliesLock)
        {
            _tallies.Add(tally);
        }

        return tally;
    }

    /// <summary>A writer leaves: its counts move to the shared tally.</summary>
    public void RetireTally(OutcomeTally tally)
    {
        lock (_talliesLock)
        {
            if (_tallies.Remove(tally))
            {
                tally.FoldInto(_shared);
            }
        }
    }

    /// <summary>Keeps an outcome recorded by an earlier run (a durable pool's journal) without counting it again.</summary>
    public void Keep(WorkItem item) => Place(item);

    /// <summary>Records a settled task; its outcome fields must be written already.</summary>
    /// <param name="item">The task.</param>
    /// <param name="tally">The settler's own tally, or null to count in the shared one.</param>
    public void Add(WorkItem item, OutcomeTally? tally)
    {
        var ranTicks = item.Ran ? Duration(item).Ticks : 0;
        if (tally is null)
        {
            _shared.AddShared(item.Outcome, item.Ran, ranTicks);
        }
        else
        {
            tally.Add(item.Outcome, item.Ran, ranTicks);
        }

        Place(item);
    }

    private void Place(WorkItem item)
    {
        var sequence = Interlocked.Increment(ref _settled) - 1;
        if (_capacity == 0)
        {
            return;
        }

        var slot = (int)(sequence % _capacity);
        var chunk = _chunks[slot >> ChunkBits] ?? CreateChunk(slot >> ChunkBits);
        Volatile.Write(ref chunk[slot & (ChunkSize - 1)], item);
    }

    /// <summary>How many outcomes of one kind were recorded.</summary>
    public long Count(TaskOutcome outcome)
    {
        lock (_talliesLock)
        {
            var count = _shared.Count(outcome);
            foreach (var tally in _tallies)
            {
                count += tally.Count(outcome);
            }

            return count;
        }
    }

    /// <summary>A copy of the retained results, keyed by task id.</summary>
    public Dictionary<long, TaskResult> Snapshot()
    {
        var items = Retained();
        var results = new Dictionary<long, TaskResult>(items.Count);
        foreach (var item in items)
        {
            results[item.Id] = ToResult(item);
        }

        return results;
    }

    /// <summary>Fills the outcome and duration figures of <paramref name="stats"/>.</summary>
    public PoolStats AddTo(PoolStats stats)
    {
        long ran, ranTicks;
        lock (_talliesLock)
        {
            (ran, ranTicks) = (_shared.Runs, _shared.RunTicks);
            foreach (var tally in _tallies)
            {
                (ran, ranTicks) = (ran + tally.Runs, ranTicks + tally.RunTicks);
            }
        }

        var recent = new List<TimeSpan>(DurationWindow);
        var items = Retained();
        for (var i = items.Count - 1; i >= 0 && recent.Count < DurationWindow; i--)
        {
            if (items[i].Ran)
            {
                recent.Add(Duration(items[i]));
            }
        }

        recent.Sort();
        return stats with
        {
            Succeeded = Count(TaskOutcome.Succeeded),
            Failed = Count(TaskOutcome.Failed),
            Cancelled = Count(TaskOutcome.Cancelled),
            TimedOut = Count(TaskOutcome.TimedOut),
            Dropped = Count(TaskOutcome.Dropped),
            MeanDuration = ran == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(ranTicks / ran),
            P99Duration = recent.Count == 0 ? TimeSpan.Zero : recent[(((recent.Count * 99) + 99) / 100) - 1], // nearest rank, in whole numbers
        };
    }

    /// <summary>The public copy of a settled task's outcome.</summary>
    public TaskResult ToResult(WorkItem item) =>
        new(item.Id, item.Outcome, item.Error, Duration(item), WallClock(item.StartTimestamp), item.Attempts) { Key = item.Key, Node = item.Node };

    /// <summary>How long the task's last run took; zero if its outcome did not end a run.</summary>
    public TimeSpan Duration(WorkItem item) =>
        item.Ran ? _time.GetElapsedTime(item.StartTimestamp, item.EndTimestamp) : TimeSpan.Zero;

    /// <summary>The wall-clock time of a timestamp of the pool's clock.</summary>
    public DateTimeOffset WallClock(long timestamp) => _wallAtOrigin + _time.GetElapsedTime(_timestampAtOrigin, timestamp);

    /// <summary>The pool clock's timestamp of a wall-clock time (the inverse of <see cref="WallClock"/>), for outcomes read back from a journal or the wire.</summary>
    public long Timestamp(DateTimeOffset wallClock) =>
        _timestampAtOrigin + (long)((wallClock - _wallAtOrigin).Ticks / (double)TimeSpan.TicksPerSecond * _time.TimestampFrequency);

    /// <summary>The retained items, oldest first.</summary>
    private List<WorkItem> Retained()
    {
        var settled = Interlocked.Read(ref _settled);
        var count = (int)Math.Min(settled, _capacity);
        var items = new List<WorkItem>(count);
        for (var sequence = settled - count; sequence < settled; sequence++)
        {
            var slot = (int)(sequence % _capacity);
            var chunk = Volatile.Read(ref _chunks[slot >> ChunkBits]);
            var item = chunk is null ? null : Volatile.Read(ref chunk[slot & (ChunkSize - 1)]);
            if (item is not null)
            {
                items.Add(item);
            }
        }

        return items;
    }

    private WorkItem?[] CreateChunk(int index)
    {
        var size = Math.Min(ChunkSize, _capacity - (index * ChunkSize));
        Interlocked.CompareExchange(ref _chunks[index], new WorkItem?[size], null);
        return _chunks[index]!;
    }
}
