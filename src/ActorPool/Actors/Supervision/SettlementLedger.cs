using ActorPool.Work;

namespace ActorPool.Actors.Supervision;

/// <summary>
/// The supervisor's books: tasks taken in, settlements counted (each exactly once, however it was
/// learnt), and the <c>WaitAsync</c> callers, each waiting until every task id up to the last one
/// issued before its call is done with.
/// </summary>
/// <remarks>
/// Ids are issued densely by the admission gate and every issued id passes through the
/// supervisor, as a task it settles or as one its submitter withdrew. The ledger marks each id
/// done in a sliding bitmap and keeps the lowest id not yet done; a waiter is released once that
/// low-water mark passes its id. The bitmap spans only the ids between the oldest unfinished task
/// and the newest one (a bit each).
/// </remarks>
internal sealed class SettlementLedger
{
    private readonly List<(long LastId, TaskCompletionSource Completion)> _waiters = [];

    /// <summary>Done-bits of ids from <see cref="_firstWord"/> × 64 + 1 on, in a ring of words.</summary>
    private ulong[] _words = new ulong[64];
    private int _head;
    private long _firstWord;

    /// <summary>The lowest id not yet done.</summary>
    private long _low = 1;

    /// <summary>Tasks taken in from the admission gate.</summary>
    public long Accepted { get; private set; }

    /// <summary>Tasks whose outcome has been counted.</summary>
    public long Settled { get; private set; }

    /// <summary>Tasks taken in that have no outcome yet.</summary>
    public long Outstanding => Accepted - Settled;

    /// <summary>
    /// Ids are issued from <paramref name="lastId"/> + 1 on (a durable pool's journal continues an
    /// earlier run's); older ids still count as taken in and settled, outside the bitmap. Called
    /// before any task is taken in.
    /// </summary>
    public void StartAfter(long lastId)
    {
        _low = lastId + 1;
        _firstWord = lastId >> 6;
    }

    /// <summary>Takes a task in.</summary>
    public void Accept(WorkItem item) => Accepted++;

    /// <summary>An id whose task its submitter withdrew: nothing will ever settle it.</summary>
    public void Withdrawn(long id, List<TaskCompletionSource> released) => MarkDone(id, released);

    /// <summary>
    /// Counts a settled task once; returns false if it was counted already. Waiters this releases
    /// are added to <paramref name="released"/>.
    /// </summary>
    public bool Count(WorkItem item, List<TaskCompletionSource> released)
    {
        if (item.Counted)
        {
            return false;
        }

        item.Counted = true;
        Settled++;
        MarkDone(item.Id, released);
        return true;
    }

    /// <summary>Counts the settlement of the task with <paramref name="id"/>, known to be counted once by its caller.</summary>
    public void Settle(long id, List<TaskCompletionSource> released)
    {
        Settled++;
        MarkDone(id, released);
    }

    /// <summary>Waits until every id up to <paramref name="lastId"/> is done; returns false when they are and the caller may complete at once.</summary>
    public bool AddWaiter(long lastId, TaskCompletionSource completion)
    {
        if (_low > lastId)
        {
            return false;
        }

        _waiters.Add((lastId, completion));
        return true;
    }

    /// <summary>Hands back every waiter: a stopped pool has nothing left to wait for.</summary>
    public void ReleaseAll(List<TaskCompletionSource> released)
    {
        foreach (var (_, completion) in _waiters)
        {
            released.Add(completion);
        }

        _waiters.Clear();
    }

    private void MarkDone(long id, List<TaskCompletionSource> released)
    {
        if (id < _low)
        {
            return;
        }

        var word = (id - 1) >> 6;
        EnsureCovers(word);
        _words[Slot(word)] |= 1UL << (int)((id - 1) & 63);
        if (id != _low)
        {
            return;
        }

        // Advance the low-water mark over every id already done.
        while (true)
        {
            var lowWord = (_low - 1) >> 6;
            if (lowWord - _firstWord >= _words.Length)
            {
                break;
            }

            var bits = _words[Slot(lowWord)] >> (int)((_low - 1) & 63);
            if ((bits & 1) == 0)
            {
                break;
            }

            _low += (long)ulong.TrailingZeroCount(~bits); // the run of done ids from the mark on
            while (((_low - 1) >> 6) > _firstWord)
            {
                _words[_head] = 0;
                _head = (_head + 1) & (_words.Length - 1);
                _firstWord++;
            }
        }

        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].LastId < _low)
            {
                released.Add(_waiters[i].Completion);
                _waiters.RemoveAt(i);
            }
        }
    }

    private int Slot(long word) => (int)((_head + (word - _firstWord)) & (_words.Length - 1));

    private void EnsureCovers(long word)
    {
        if (word - _firstWord < _words.Length)
        {
            return;
        }

        var length = _words.Length;
        while (word - _firstWord >= length)
        {
            length *= 2;
        }

        var grown = new ulong[length];
        for (var i = 0; i < _words.Length; i++)
        {
            grown[i] = _words[(_head + i) & (_words.Length - 1)];
        }

        _words = grown;
        _head = 0;
    }
}
