using ActorPool.Diagnostics;

namespace ActorPool.Outcomes;

/// <summary>
/// The pool's recorded outcomes: the most recent <c>capacity</c> settled tasks in the order they
/// were settled, a count per outcome and run-time totals. Written by whoever settles a task
/// (workers, deadline timers, the supervisor), read by any thread.
/// </summary>
/// <remarks>
/// <para>The store copies each outcome into a ring of value slots and builds <see cref="TaskResult"/>
/// copies only when asked, so recording an outcome allocates nothing and keeps no task alive: a
/// retained task object would live just long enough to be promoted to gen2 and then be evicted,
/// one gen2 collection per few hundred thousand tasks. Slots live in chunks allocated on first
/// use, so a large capacity costs memory only once it fills.</para>
/// <para>Each slot carries the sequence number of the outcome in it (a seqlock): a writer marks it
/// busy, writes, then stamps it; a reader keeps a copy only if the stamp it saw before and after
/// copying is the one it expected, so a slot overwritten meanwhile is skipped, never torn.</para>
/// </remarks>
internal sealed class ResultStore
{
    /// <summary>Run times kept for the percentile.</summary>
    public const int DurationWindow = 4096;

    private const int ChunkBits = 12;
    private const int ChunkSize = 1 << ChunkBits;

    /// <summary>The stamp of a slot being written.</summary>
    private const long Busy = -1;

    private readonly int _capacity;
    private readonly Slot[]?[] _chunks;
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
        _chunks = new Slot[]?[(capacity + ChunkSize - 1) / ChunkSize];
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
    public void Keep(IRecordedOutcome item) => Place(item);

    /// <summary>Records a settled task; its outcome fields must be written already.</summary>
    /// <param name="item">The task.</param>
    /// <param name="tally">The settler's own tally, or null to count in the shared one.</param>
    public void Add(IRecordedOutcome item, OutcomeTally? tally)
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

    private void Place(IRecordedOutcome item)
    {
        var sequence = Interlocked.Increment(ref _settled) - 1;
        if (_capacity == 0)
        {
            return;
        }

        var index = (int)(sequence % _capacity);
        var chunk = Volatile.Read(ref _chunks[index >> ChunkBits]) ?? CreateChunk(index >> ChunkBits);
        ref var slot = ref chunk[index & (ChunkSize - 1)];
        Interlocked.Exchange(ref slot.Stamp, Busy); // a reader that copies from here on sees the copy is not whole
        slot.Id = item.Id;
        slot.Outcome = item.Outcome;
        slot.Ran = item.Ran;
        slot.Attempts = item.Attempts;
        slot.StartTimestamp = item.StartTimestamp;
        slot.EndTimestamp = item.EndTimestamp;
        slot.Error = item.Error;
        slot.Key = item.Key;
        slot.Node = item.Node;
        slot.Handler = item.HandlerName;
        slot.Payload = item.PayloadJson;
        slot.Options = item.Options;
        slot.RetryOf = item.RetryOf;
        slot.QueueWait = item.QueueWaitSeconds;
        Volatile.Write(ref slot.Stamp, sequence + 1);
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
        var results = new Dictionary<long, TaskResult>((int)Math.Min(Interlocked.Read(ref _settled), _capacity));
        foreach (var slot in NewestFirst())
        {
            results.TryAdd(slot.Id, ToResult(slot)); // the newest outcome of an id wins, as it always has
        }

        return results;
    }

    /// <summary>
    /// One page of the retained results, newest first, only those with <paramref name="outcome"/> when it is given;
    /// it copies only the page, so a console can page through every retained result without a snapshot of them all.
    /// </summary>
    public ResultPage Page(TaskOutcome? outcome, int skip, int take)
    {
        var settled = Interlocked.Read(ref _settled);
        var oldest = settled - Math.Min(settled, _capacity);
        var page = new List<TaskResult>(Math.Min(take, 256));
        var matched = 0;

        // Its own loop rather than NewestFirst(): the iterator copies each slot twice, which took p95 from 1.8 to 4.2 ms at 100k.
        for (var sequence = settled - 1; sequence >= oldest; sequence--)
        {
            if (!TryRead(sequence, out var slot) || (outcome is { } wanted && slot.Outcome != wanted))
            {
                continue;
            }

            if (matched >= skip && page.Count < take)
            {
                page.Add(ToResult(slot));
            }

            matched++;
        }

        return new ResultPage(page, matched);
    }

    /// <summary>The retained result of one task and the options it was submitted with; null when none is retained.</summary>
    public (TaskResult Result, TaskOptions? Options)? Find(long id)
    {
        foreach (var slot in NewestFirst())
        {
            if (slot.Id == id)
            {
                return (ToResult(slot), slot.Options);
            }
        }

        return null;
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
        foreach (var slot in NewestFirst())
        {
            if (recent.Count == DurationWindow)
            {
                break;
            }

            if (slot.Ran)
            {
                recent.Add(Duration(slot));
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
    public TaskResult ToResult(IRecordedOutcome item) =>
        new(item.Id, item.Outcome, item.Error, Duration(item), WallClock(item.StartTimestamp), item.Attempts)
        {
            Key = item.Key,
            Node = item.Node,
            Handler = item.HandlerName,
            Payload = Json(item.PayloadJson),
            RetryOf = item.RetryOf == 0 ? null : item.RetryOf,
            QueueWait = TimeSpan.FromSeconds(item.QueueWaitSeconds),
        };

    /// <summary>How long the task's last run took; zero if its outcome did not end a run.</summary>
    public TimeSpan Duration(IRecordedOutcome item) =>
        item.Ran ? _time.GetElapsedTime(item.StartTimestamp, item.EndTimestamp) : TimeSpan.Zero;

    /// <summary>The wall-clock time of a timestamp of the pool's clock.</summary>
    public DateTimeOffset WallClock(long timestamp) => _wallAtOrigin + _time.GetElapsedTime(_timestampAtOrigin, timestamp);

    /// <summary>The pool clock's timestamp of a wall-clock time (the inverse of <see cref="WallClock"/>), for outcomes read back from a journal or the wire.</summary>
    public long Timestamp(DateTimeOffset wallClock) =>
        _timestampAtOrigin + (long)((wallClock - _wallAtOrigin).Ticks / (double)TimeSpan.TicksPerSecond * _time.TimestampFrequency);

    /// <summary>
    /// The retained outcomes newest first, each copied as it is reached (a slot being rewritten is
    /// left out): a stats read or a lookup by id must not copy every slot, 100,000 of them on a
    /// console's durable pool, into a list on the large object heap.
    /// </summary>
    private IEnumerable<Slot> NewestFirst()
    {
        var settled = Interlocked.Read(ref _settled);
        var oldest = settled - Math.Min(settled, _capacity);
        for (var sequence = settled - 1; sequence >= oldest; sequence--)
        {
            if (TryRead(sequence, out var slot))
            {
                yield return slot;
            }
        }
    }

    /// <summary>Copies the slot of one sequence number; false when it is not written yet or already overwritten by a newer outcome.</summary>
    private bool TryRead(long sequence, out Slot copy)
    {
        var index = (int)(sequence % _capacity);
        var chunk = Volatile.Read(ref _chunks[index >> ChunkBits]);
        if (chunk is null)
        {
            copy = default;
            return false;
        }

        ref var slot = ref chunk[index & (ChunkSize - 1)];
        if (Volatile.Read(ref slot.Stamp) != sequence + 1)
        {
            copy = default;
            return false;
        }

        copy = slot;
        Interlocked.MemoryBarrier();
        return Volatile.Read(ref slot.Stamp) == sequence + 1;
    }

    private static string? Json(byte[]? payload) => payload is null ? null : System.Text.Encoding.UTF8.GetString(payload);

    private TaskResult ToResult(in Slot slot) =>
        new(slot.Id, slot.Outcome, slot.Error, Duration(slot), WallClock(slot.StartTimestamp), slot.Attempts)
        {
            Key = slot.Key,
            Node = slot.Node,
            Handler = slot.Handler,
            Payload = Json(slot.Payload),
            RetryOf = slot.RetryOf == 0 ? null : slot.RetryOf,
            QueueWait = TimeSpan.FromSeconds(slot.QueueWait),
        };

    private TimeSpan Duration(in Slot slot) =>
        slot.Ran ? _time.GetElapsedTime(slot.StartTimestamp, slot.EndTimestamp) : TimeSpan.Zero;

    private Slot[] CreateChunk(int index)
    {
        var size = Math.Min(ChunkSize, _capacity - (index * ChunkSize));
        Interlocked.CompareExchange(ref _chunks[index], new Slot[size], null);
        return _chunks[index]!;
    }

    /// <summary>One retained outcome, copied out of its task. <c>Stamp</c> is its sequence number + 1; 0 empty, -1 being written.</summary>
    private struct Slot
    {
        public long Stamp;
        public long Id;
        public long StartTimestamp;
        public long EndTimestamp;
        public Exception? Error;
        public string? Key;
        public string? Node;
        public string? Handler;
        public byte[]? Payload;
        public TaskOptions? Options;
        public long RetryOf;
        public float QueueWait;
        public int Attempts;
        public TaskOutcome Outcome;
        public bool Ran;
    }
}
