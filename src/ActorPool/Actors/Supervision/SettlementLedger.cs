using ActorPool.Work;

namespace ActorPool.Actors.Supervision;

/// <summary>
/// The supervisor's books: tasks taken in, settlements counted (each exactly once, however it was
/// learnt), and the <c>WaitAsync</c> callers waiting for every task taken in before them.
/// </summary>
internal sealed class SettlementLedger
{
    private readonly List<Waiter> _waiters = [];

    /// <summary>Tasks taken in from the admission gate.</summary>
    public long Accepted { get; private set; }

    /// <summary>Tasks whose outcome has been counted.</summary>
    public long Settled { get; private set; }

    /// <summary>Tasks taken in that have no outcome yet.</summary>
    public long Outstanding => Accepted - Settled;

    /// <summary>Takes a task in, stamping its arrival order.</summary>
    public void Accept(WorkItem item) => item.Arrival = ++Accepted;

    /// <summary>
    /// Counts a settled task once; returns false if it was counted already. Completed waiters are
    /// added to <paramref name="released"/>.
    /// </summary>
    public bool Count(WorkItem item, List<TaskCompletionSource> released)
    {
        if (item.Counted)
        {
            return false;
        }

        item.Counted = true;
        Settled++;
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            var waiter = _waiters[i];
            if (item.Arrival <= waiter.LastArrival && --waiter.Remaining == 0)
            {
                released.Add(waiter.Completion);
                _waiters.RemoveAt(i);
            }
        }

        return true;
    }

    /// <summary>Waits for every task taken in so far; returns false when none is outstanding and the caller may complete at once.</summary>
    public bool AddWaiter(TaskCompletionSource completion)
    {
        if (Outstanding == 0)
        {
            return false;
        }

        _waiters.Add(new Waiter(completion, Accepted, Outstanding));
        return true;
    }

    /// <summary>Hands back every waiter: a stopped pool has nothing left to wait for.</summary>
    public void ReleaseAll(List<TaskCompletionSource> released)
    {
        foreach (var waiter in _waiters)
        {
            released.Add(waiter.Completion);
        }

        _waiters.Clear();
    }

    private sealed class Waiter(TaskCompletionSource completion, long lastArrival, long remaining)
    {
        public TaskCompletionSource Completion { get; } = completion;

        public long LastArrival { get; } = lastArrival;

        public long Remaining { get; set; } = remaining;
    }
}
