using ActorPool.Work;

namespace ActorPool.Admission;

/// <summary>
/// The queue slots of a bounded pool and the line of submitters waiting for one, first come first
/// served. A slot given back goes to the first live waiter, which the giver admits on its own
/// thread: a waiting submit costs one small object, no semaphore node, state machine or
/// thread-pool hop before its task enters the pool.
/// </summary>
/// <remarks>One lock, <see cref="_sync"/>, guards the free count, the line and the closed flag; nothing is called under it.</remarks>
internal sealed class SlotLine(int slots)
{
    private readonly Lock _sync = new();
    private readonly Queue<SlotWaiter> _line = new();
    private int _free = slots;
    private bool _closed;

    /// <summary>Takes a free slot, unless someone is already waiting for one.</summary>
    public bool TryTake()
    {
        lock (_sync)
        {
            if (_free > 0 && _line.Count == 0)
            {
                _free--;
                return true;
            }

            return false;
        }
    }

    /// <summary>Puts <paramref name="waiter"/> in line; <see cref="Join.Taken"/> when a slot was free after all (it holds it now).</summary>
    public Join Enter(SlotWaiter waiter)
    {
        lock (_sync)
        {
            if (_closed)
            {
                return Join.Closed;
            }

            if (_free > 0 && _line.Count == 0)
            {
                _free--;
                return Join.Taken;
            }

            _line.Enqueue(waiter);
            return Join.Waiting;
        }
    }

    /// <summary>Gives a slot back: to the first waiter still waiting, returned for the caller to admit, else to the free count.</summary>
    public SlotWaiter? Release()
    {
        lock (_sync)
        {
            while (_line.TryDequeue(out var waiter))
            {
                if (waiter.TryClaim())
                {
                    return waiter;
                }
            }

            _free++;
            return null;
        }
    }

    /// <summary>Closes the line for good and hands back everyone still in it, to be refused.</summary>
    public SlotWaiter[] Close()
    {
        lock (_sync)
        {
            _closed = true;
            var waiting = _line.ToArray();
            _line.Clear();
            return waiting;
        }
    }

    /// <summary>What <see cref="Enter"/> did.</summary>
    public enum Join
    {
        Waiting,
        Taken,
        Closed,
    }
}

/// <summary>
/// A submit waiting for a queue slot: its task, and for <c>SubmitAsync</c> the completion that gives
/// its caller the id. A <c>RunAsync</c> caller awaits the task itself, so its refusal goes there.
/// </summary>
internal sealed class SlotWaiter(WorkItem item, bool wantsId)
{
    private const int Waiting = 0;
    private const int Claimed = 1;
    private const int Gone = 2;

    private int _state;

    public WorkItem Item { get; } = item;

    /// <summary>Completes with the task's id once admitted; null for a caller that awaits the task itself.</summary>
    public TaskCompletionSource<long>? Accepted { get; } = wantsId ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null;

    /// <summary>The registration on the caller's token, while the waiter is in line.</summary>
    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>Takes the waiter to be admitted; false if it left the line first (its token fired).</summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Waiting) == Waiting;

    /// <summary>Takes the waiter out of line to be refused; false if it was admitted first.</summary>
    public bool TryLeave() => Interlocked.CompareExchange(ref _state, Gone, Waiting) == Waiting;

    /// <summary>The submit went in: tell whoever waits for its id.</summary>
    public void Admitted()
    {
        Registration.Unregister();
        Accepted?.TrySetResult(Item.Id);
    }

    /// <summary>The submit was refused, or its caller's token fired.</summary>
    public void Refused(Exception error)
    {
        Registration.Unregister();
        if (Accepted is null)
        {
            Item.RefuseCaller(error);
        }
        else
        {
            Outcomes.OutcomeErrors.Refuse(Accepted, error);
        }
    }
}
