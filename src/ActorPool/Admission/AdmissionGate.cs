using ActorPool.Diagnostics;
using ActorPool.Work;

namespace ActorPool.Admission;

/// <summary>
/// The one place that decides whether a submit is accepted: whether the pool is open, whether the
/// queue has room (and, under <see cref="OverflowPolicy.Block"/>, waiting for it), the rule that a
/// task of the pool never waits for room in its own pool, and the submit figures. An accepted task
/// gets its id here and goes into the <see cref="Inbox"/>.
/// </summary>
/// <remarks>
/// <para>Closing is synchronous: once <see cref="Close"/> returns, every later submit is refused.
/// A submit racing with the close re-checks after posting its task; if the pool closed in between
/// and the supervisor has not taken the task in yet, the submitter withdraws it (a compare-and-swap
/// on the task decides), so a task is either accepted and settled or refused, never lost.</para>
/// <para>Counts: <c>Submitted = ids issued + refusals before an id</c>; a withdrawn task counts as refused.</para>
/// <para>Submits waiting for room stand in a <see cref="SlotLine"/>: a slot given back admits the
/// first of them on the giving thread, and a close refuses every one still in line.</para>
/// </remarks>
internal sealed class AdmissionGate
{
    private readonly Inbox _inbox;
    private readonly TimeProvider _time;
    private readonly OverflowPolicy _overflow;
    private readonly int _queueSize;
    private readonly string _poolName;

    /// <summary>Queue slots for <see cref="OverflowPolicy.Block"/> and <see cref="OverflowPolicy.Reject"/>, and the line for them; null when unbounded or dropping.</summary>
    private readonly SlotLine? _room;

    private readonly RejectionReason _closedReason;
    private Exception? _failure;
    private int _closed;
    private long _lastId;
    private long _refusedWithoutId;
    private long _withdrawn;

    /// <summary>Creates an open gate in front of <paramref name="inbox"/>.</summary>
    public AdmissionGate(WorkerPoolOptions options, string poolName, Inbox inbox)
    {
        _inbox = inbox;
        _time = options.TimeProvider;
        _overflow = options.Overflow;
        _queueSize = options.QueueSize;
        _poolName = poolName;
        _closedReason = RejectionReason.Stopped;

        // DropOldest bounds the queue inside the supervisor; Block and Reject count slots here.
        _room = options.QueueSize > 0 && options.Overflow != OverflowPolicy.DropOldest
            ? new SlotLine(options.QueueSize)
            : null;
    }

    private AdmissionGate(string poolName, RejectionReason reason)
    {
        _inbox = new Inbox();
        _time = TimeProvider.System;
        _poolName = poolName;
        _closedReason = reason;
        _closed = 1;
    }

    /// <summary>Every submit made with a task.</summary>
    public long Submitted => Interlocked.Read(ref _lastId) + Interlocked.Read(ref _refusedWithoutId);

    /// <summary>Submits that were not accepted.</summary>
    public long Rejected => Interlocked.Read(ref _refusedWithoutId) + Interlocked.Read(ref _withdrawn);

    public bool IsClosed => Volatile.Read(ref _closed) == 1;

    /// <summary>Why the gate closed, when it was not a stop: every later submit fails with it (a durable pool whose journal failed).</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>The last id issued: every task accepted so far has an id up to it.</summary>
    public long LastIssuedId => Interlocked.Read(ref _lastId);

    /// <summary>Whether accepted tasks hold queue slots (a QueueSize bound the gate itself keeps).</summary>
    public bool IsBounded => _room is not null;

    /// <summary>Whether a submit that finds the queue full waits for room.</summary>
    public bool MayWaitForRoom => _room is not null && _overflow == OverflowPolicy.Block;

    /// <summary>Marks the tasks of this pool, for the rule that they never wait for room in it.</summary>
    public object Marker => this;

    /// <summary>A gate that refuses everything for <paramref name="reason"/> (a pool with no workers).</summary>
    public static AdmissionGate Refusing(string poolName, RejectionReason reason) => new(poolName, reason);

    /// <summary>Decides a submit without waiting: accepted (and posted), refused, or waiting for room.</summary>
    /// <param name="item">The task.</param>
    /// <param name="mayWait">False for <c>TrySubmitAsync</c>: a full queue refuses instead of waiting.</param>
    public AdmissionResult TryAdmit(WorkItem item, bool mayWait)
    {
        if (IsClosed)
        {
            return Refuse(ClosedAdmission);
        }

        var holdsSlot = false;
        var slot = WaitsForItsTime(item) ? AdmissionResult.Accepted : TakeSlot(mayWait, out holdsSlot);
        if (slot == AdmissionResult.NeedsRoom)
        {
            return slot;
        }

        if (slot != AdmissionResult.Accepted)
        {
            return Refuse(slot);
        }

        item.HoldsSlot = holdsSlot;
        return Enter(item) ? AdmissionResult.Accepted : AdmissionResult.Stopped;
    }

    /// <summary>Waits in line for queue room, then admits; completes with the task's id, or fails with the refusal or the caller's cancellation.</summary>
    public Task<long> AdmitWhenRoomAsync(WorkItem item, CancellationToken cancellationToken)
    {
        var ticket = new WaitTicket(item, wantsId: true);
        WaitForRoom(item, ticket, cancellationToken);
        return ticket.Accepted!.Task;
    }

    /// <summary>
    /// Waits in line for queue room, then admits, for a caller that awaits the task itself
    /// (<c>RunAsync</c>): a refusal or the caller's cancellation completes the task's caller instead.
    /// </summary>
    public void AdmitWhenRoom(WorkItem item, CancellationToken cancellationToken) =>
        WaitForRoom(item, cancellationToken.CanBeCanceled ? new WaitTicket(item, wantsId: false) : null, cancellationToken);

    private void WaitForRoom(WorkItem item, WaitTicket? ticket, CancellationToken cancellationToken)
    {
        var waiter = new SlotWaiter(item, ticket);
        if (PoolTracing.IsListening)
        {
            PoolTracing.CaptureSubmitter(item); // here: whoever admits it later runs on another thread
        }

        item.TryMove(ItemState.Inbox, ItemState.InLine);
        switch (_room!.Enter(waiter))
        {
            case SlotLine.Join.Closed:
                Refuse(waiter, Refusal(ClosedAdmission));
                return;
            case SlotLine.Join.Taken:
                waiter.TryClaim();
                Admit(waiter);
                return;
        }

        if (ticket is not null && cancellationToken.CanBeCanceled)
        {
            ticket.Registration = cancellationToken.UnsafeRegister(
                static (state, token) =>
                {
                    var (gate, waiting) = ((AdmissionGate, WaitTicket))state!;
                    gate.Refuse(new SlotWaiter(waiting.Item, waiting), new OperationCanceledException(token));
                },
                (this, ticket));

            if (item.State != ItemState.InLine)
            {
                ticket.Registration.Unregister(); // admitted before the registration was stored: nothing else will
            }
        }
    }

    /// <summary>Takes a waiter out of line and refuses it, counted as a refusal; nothing if it was admitted first.</summary>
    private void Refuse(SlotWaiter waiter, Exception error)
    {
        if (waiter.TryLeave())
        {
            Interlocked.Increment(ref _refusedWithoutId);
            waiter.Refused(error);
        }
    }

    /// <summary>Admits a waiter that now holds a slot.</summary>
    private void Admit(SlotWaiter waiter)
    {
        waiter.Item.HoldsSlot = true;
        if (Enter(waiter.Item, captureTrace: false))
        {
            waiter.Admitted();
        }
        else
        {
            waiter.Refused(Refusal(AdmissionResult.Stopped));
        }
    }

    /// <summary>
    /// Takes a queue slot for each of <paramref name="items"/> in turn until one cannot be had at
    /// once, and posts those as one hand-over. Returns how many were accepted (always the first
    /// ones); <paramref name="stoppedAt"/> says why the rest were not (Accepted when all were).
    /// </summary>
    /// <param name="items">The tasks, in order.</param>
    /// <param name="stoppedAt">Why the first task not accepted was not.</param>
    /// <param name="settled">How many tasks have their fate counted here: the accepted ones and any withdrawn at a close.</param>
    /// <remarks>Tasks never offered are not counted: the caller decides whether the first of them waits or is refused.</remarks>
    public int AdmitMany(Span<WorkItem> items, out AdmissionResult stoppedAt, out int settled)
    {
        stoppedAt = AdmissionResult.Accepted;
        settled = 0;
        if (IsClosed)
        {
            stoppedAt = ClosedAdmission;
            return 0;
        }

        var taken = 0;
        while (taken < items.Length)
        {
            var holdsSlot = false;
            var slot = WaitsForItsTime(items[taken]) ? AdmissionResult.Accepted : TakeSlot(mayWait: true, out holdsSlot);
            if (slot != AdmissionResult.Accepted)
            {
                stoppedAt = slot;
                break;
            }

            items[taken++].HoldsSlot = holdsSlot;
        }

        if (taken == 0)
        {
            return 0;
        }

        var accepted = items[..taken];
        var firstId = Interlocked.Add(ref _lastId, taken) - taken + 1;
        var now = _time.GetTimestamp();
        var tracing = PoolTracing.IsListening;
        for (var i = 0; i < accepted.Length; i++)
        {
            accepted[i].Id = firstId + i;
            accepted[i].StartTimestamp = now;
            if (tracing)
            {
                PoolTracing.CaptureSubmitter(accepted[i]);
            }
        }

        _inbox.PostMany(accepted);
        settled = taken;
        if (Volatile.Read(ref _closed) == 0)
        {
            return taken;
        }

        // Closed while posting: withdraw from the back, so what the supervisor took in stays a prefix.
        var kept = taken;
        while (kept > 0 && accepted[kept - 1].TryMove(ItemState.Inbox, ItemState.Withdrawn))
        {
            kept--;
            Withdrawn(accepted[kept]);
        }

        if (kept < taken)
        {
            stoppedAt = AdmissionResult.Stopped;
        }

        return kept;
    }

    /// <summary>Counts an admitted task that was refused after all (a clustered pool's supervisor refused it or never answered).</summary>
    public void CountWithdrawn() => Interlocked.Increment(ref _withdrawn);

    /// <summary>Counts a submit refused before it got an id (for example an already-cancelled token).</summary>
    public void CountRefused() => Interlocked.Increment(ref _refusedWithoutId);

    /// <summary>Counts <paramref name="count"/> submits refused in one go.</summary>
    public void CountRefused(int count) => Interlocked.Add(ref _refusedWithoutId, count);

    /// <summary>Gives back the queue slot a task held, to the first submit in line if one waits; the supervisor calls it when the task leaves the queue.</summary>
    public void ReleaseSlot(WorkItem item)
    {
        if (item.HoldsSlot)
        {
            item.HoldsSlot = false;
            if (_room?.Release() is { } waiter)
            {
                Admit(waiter);
            }
        }
    }

    /// <summary>Stops admitting; returns true for the call that closed it. Synchronous: later submits are refused.</summary>
    public bool Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return false;
        }

        foreach (var waiter in _room?.Close() ?? [])
        {
            Refuse(waiter, Refusal(ClosedAdmission));
        }

        return true;
    }

    /// <summary>Closes the gate for good because of <paramref name="failure"/>, which later submits get instead of a stop's refusal.</summary>
    public void Fail(Exception failure)
    {
        Interlocked.CompareExchange(ref _failure, failure, null);
        Close();
    }

    /// <summary>The exception a refused submit gets: the failure the gate closed for, else the refusal.</summary>
    public Exception Refusal(AdmissionResult admission) => admission is AdmissionResult.Stopped && Failure is { } failure ? failure : Rejection(admission);

    /// <summary>The exception for a refusal.</summary>
    public SubmitRejectedException Rejection(AdmissionResult admission) => admission switch
    {
        AdmissionResult.NoWorkers => new SubmitRejectedException(RejectionReason.NoWorkers),
        AdmissionResult.QueueFull => new SubmitRejectedException(RejectionReason.QueueFull, $"The task was rejected: pool '{_poolName}' already holds {_queueSize} waiting tasks (QueueSize)."),
        _ => new SubmitRejectedException(RejectionReason.Stopped, $"The task was rejected: pool '{_poolName}' is stopping or stopped."),
    };

    private AdmissionResult ClosedAdmission => _closedReason == RejectionReason.NoWorkers ? AdmissionResult.NoWorkers : AdmissionResult.Stopped;

    private AdmissionResult Refuse(AdmissionResult admission)
    {
        Interlocked.Increment(ref _refusedWithoutId);
        return admission;
    }

    /// <summary>A delayed task holds no queue slot while it waits for its time; it joins the queue past the bound, as a retry does.</summary>
    private bool WaitsForItsTime(WorkItem item)
    {
        var now = _time.GetUtcNow();
        return item.Options?.DueFrom(now) > now; // the supervisor's rule, counted from now as it counts from acceptance
    }

    /// <summary>Takes a queue slot without waiting where the policy counts them.</summary>
    private AdmissionResult TakeSlot(bool mayWait, out bool holdsSlot)
    {
        holdsSlot = _room?.TryTake() ?? false;
        if (_room is null || holdsSlot)
        {
            return AdmissionResult.Accepted;
        }

        if (!mayWait || _overflow == OverflowPolicy.Reject)
        {
            return AdmissionResult.QueueFull;
        }

        // Inside one of our own tasks, waiting for room could wait on ourselves: go past the bound.
        return InsidePool.Is(Marker) ? AdmissionResult.Accepted : AdmissionResult.NeedsRoom;
    }

    /// <summary>Gives the task its id and posts it; false if the gate closed meanwhile and the task was withdrawn.</summary>
    private bool Enter(WorkItem item, bool captureTrace = true)
    {
        item.Id = Interlocked.Increment(ref _lastId);
        item.StartTimestamp = _time.GetTimestamp();
        if (captureTrace && PoolTracing.IsListening)
        {
            PoolTracing.CaptureSubmitter(item);
        }

        _inbox.Post(item);
        if (Volatile.Read(ref _closed) == 0 || !item.TryMove(ItemState.Inbox, ItemState.Withdrawn))
        {
            return true; // open, or the supervisor took it in before the close
        }

        Withdrawn(item);
        return false;
    }

    private void Withdrawn(WorkItem item)
    {
        ReleaseSlot(item);
        Interlocked.Increment(ref _withdrawn);
    }
}
