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
/// A submit waiting for a queue slot: its task, and a ticket only when its caller waits on more
/// than the task (the id, for <c>SubmitAsync</c>) or its token can fire. A <c>RunAsync</c> caller
/// without a token waits in line at no cost of its own: the task's state says whether it is still in line.
/// </summary>
internal readonly record struct SlotWaiter(WorkItem Item, WaitTicket? Ticket)
{
    /// <summary>Takes the waiter to be admitted; false if it left the line first (its token fired).</summary>
    public bool TryClaim() => Item.TryMove(ItemState.InLine, ItemState.Inbox);

    /// <summary>Takes the waiter out of line to be refused; false if it was admitted first.</summary>
    public bool TryLeave() => Item.TryMove(ItemState.InLine, ItemState.Withdrawn);

    /// <summary>The submit went in: tell whoever waits for its id.</summary>
    public void Admitted()
    {
        if (Ticket is { } ticket)
        {
            ticket.Registration.Unregister();
            ticket.Accepted?.TrySetResult(Item.Id);
        }
    }

    /// <summary>The submit was refused, or its caller's token fired.</summary>
    public void Refused(Exception error)
    {
        Ticket?.Registration.Unregister();
        if (Ticket?.Accepted is { } accepted)
        {
            Outcomes.OutcomeErrors.Refuse(accepted, error);
        }
        else
        {
            Item.RefuseCaller(error);
        }
    }
}

/// <summary>What a waiting submit holds besides its task: the completion that gives its caller the id, and the registration on its token.</summary>
internal sealed class WaitTicket(WorkItem item, bool wantsId)
{
    public WorkItem Item { get; } = item;

    /// <summary>Completes with the task's id once admitted; null for a caller that awaits the task itself.</summary>
    public TaskCompletionSource<long>? Accepted { get; } = wantsId ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null;

    /// <summary>The registration on the caller's token, while the waiter is in line.</summary>
    public CancellationTokenRegistration Registration { get; set; }
}
