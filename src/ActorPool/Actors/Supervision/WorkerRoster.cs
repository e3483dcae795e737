using ActorPool.Work;
using Akka.Actor;

namespace ActorPool.Actors.Supervision;

/// <summary>One worker as the supervisor sees it.</summary>
internal sealed class WorkerSlot(int number, IActorRef worker)
{
    /// <summary>The worker's number, stored in <see cref="WorkItem.Holder"/> of the tasks it holds.</summary>
    public int Number { get; } = number;

    public IActorRef Ref { get; } = worker;

    /// <summary>The tasks handed to the worker and not yet reported back, or null while it is idle.</summary>
    public WorkItem[]? Batch { get; set; }

    /// <summary>Leaving after a shrink: it takes no new task.</summary>
    public bool Retiring { get; set; }

    /// <summary>Waiting in the idle line.</summary>
    public bool Idle { get; set; }

    public bool Busy => Batch is not null;
}

/// <summary>
/// Who works for the supervisor: which workers are idle (in the order they became idle), which hold
/// tasks and which are leaving, and how many workers are wanted. A shrink retires idle workers first
/// and lets busy ones finish; retirements that cannot be placed yet are owed to the next worker that
/// comes free or announces itself.
/// </summary>
internal sealed class WorkerRoster(int target)
{
    private readonly Dictionary<IActorRef, WorkerSlot> _byRef = [];
    private readonly Dictionary<int, WorkerSlot> _byNumber = [];
    private readonly Queue<WorkerSlot> _idle = new();
    private int _nextNumber;
    private int _retiring;
    private int _busy;

    /// <summary>Busy workers whose batch holds more than one task.</summary>
    private int _batched;

    /// <summary>Retirements a shrink could not place yet.</summary>
    private int _owedRetirements;

    /// <summary>Workers wanted: created or being created, not counting retiring ones.</summary>
    public int Target { get; private set; } = target;

    /// <summary>Workers that announced themselves and are not leaving.</summary>
    public int Live => _byRef.Count - _retiring;

    /// <summary>Workers holding tasks.</summary>
    public int Busy => _busy;

    /// <summary>Whether some worker holds more than one task, so an idle worker might take some.</summary>
    public bool AnyBatched => _batched > 0;

    public int IdleCount => _idle.Count;

    public IEnumerable<WorkerSlot> All => _byRef.Values;

    public bool TryGet(IActorRef worker, out WorkerSlot slot) => _byRef.TryGetValue(worker, out slot!);

    public WorkerSlot? ByNumber(int number) => _byNumber.GetValueOrDefault(number);

    /// <summary>Registers a worker that announced itself; returns its slot and whether it is new.</summary>
    public WorkerSlot Join(IActorRef worker, out bool isNew)
    {
        isNew = !_byRef.TryGetValue(worker, out var slot);
        if (isNew)
        {
            slot = new WorkerSlot(_nextNumber++, worker);
            _byRef[worker] = slot;
            _byNumber[slot.Number] = slot;
        }

        return slot!;
    }

    /// <summary>A worker stopped: forgets it and returns the tasks it held (null if none).</summary>
    /// <param name="worker">The worker that stopped.</param>
    /// <param name="expected">Whether it left because it was retired; otherwise the target shrinks with it.</param>
    public WorkItem[]? Leave(IActorRef worker, out bool expected)
    {
        expected = false;
        if (!_byRef.Remove(worker, out var slot))
        {
            return null;
        }

        _byNumber.Remove(slot.Number);
        expected = slot.Retiring;
        if (slot.Retiring)
        {
            _retiring--;
        }
        else
        {
            Target = Math.Max(0, Target - 1);
        }

        return Release(slot);
    }

    /// <summary>Hands a batch to a worker taken from the idle line.</summary>
    public void Assign(WorkerSlot slot, WorkItem[] batch)
    {
        Release(slot);
        _busy++;
        _batched += batch.Length > 1 ? 1 : 0;
        slot.Batch = batch;
        foreach (var item in batch)
        {
            item.Holder = slot.Number;
        }
    }

    /// <summary>The worker reported its batch done (or lost it): returns the batch and leaves the worker neither busy nor idle.</summary>
    public WorkItem[]? Release(WorkerSlot slot)
    {
        var batch = slot.Batch;
        if (batch is not null)
        {
            slot.Batch = null;
            _busy--;
            _batched -= batch.Length > 1 ? 1 : 0;
        }

        return batch;
    }

    /// <summary>
    /// A worker has nothing to do: it joins the idle line, or leaves if a shrink wants it.
    /// Returns true when the caller must take it out of the router.
    /// </summary>
    public bool Free(WorkerSlot slot)
    {
        if (!_byRef.ContainsKey(slot.Ref) || slot.Busy)
        {
            return false;
        }

        if (slot.Retiring)
        {
            return true;
        }

        if (_owedRetirements > 0)
        {
            _owedRetirements--;
            MarkRetiring(slot);
            return true;
        }

        if (!slot.Idle)
        {
            slot.Idle = true;
            _idle.Enqueue(slot);
        }

        return false;
    }

    /// <summary>Takes the worker idle longest that may still take work.</summary>
    public bool TryTakeIdle(out WorkerSlot slot)
    {
        while (_idle.TryDequeue(out slot!))
        {
            slot.Idle = false;
            if (_byRef.ContainsKey(slot.Ref) && !slot.Retiring && !slot.Busy)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Changes the wanted number of workers. Returns how many workers to create; fills
    /// <paramref name="retire"/> with idle workers to take out of the router now.
    /// </summary>
    public int Resize(int workers, List<WorkerSlot> retire)
    {
        var grow = 0;
        if (workers > Target)
        {
            var wanted = workers - Target;
            var owed = Math.Min(wanted, _owedRetirements);
            _owedRetirements -= owed;
            grow = wanted - owed;
        }
        else if (workers < Target)
        {
            var shrink = Target - workers;
            while (shrink > 0 && TryTakeIdle(out var idle))
            {
                MarkRetiring(idle);
                retire.Add(idle);
                shrink--;
            }

            foreach (var busy in _byRef.Values)
            {
                if (shrink == 0)
                {
                    break;
                }

                if (busy.Busy && !busy.Retiring)
                {
                    MarkRetiring(busy); // leaves once its batch ends
                    shrink--;
                }
            }

            _owedRetirements += shrink;
        }

        Target = workers;
        return grow;
    }

    /// <summary>
    /// Finds tasks that wait in another worker's batch behind a task that is still running, for an
    /// idle worker to take: the later half of the most such tasks any one worker holds.
    /// </summary>
    public WorkItem[]? FindStealable()
    {
        WorkerSlot? victim = null;
        var most = 0;
        foreach (var slot in _byRef.Values)
        {
            var waiting = CountWaiting(slot);
            if (waiting > most)
            {
                most = waiting;
                victim = slot;
            }
        }

        if (victim is null)
        {
            return null;
        }

        // The victim's worker may claim some meanwhile: take what is still waiting, up to half.
        var take = (most + 1) / 2;
        var stolen = new List<WorkItem>(take);
        var batch = victim.Batch!;
        for (var i = batch.Length - 1; i >= 0 && stolen.Count < take; i--)
        {
            var item = batch[i];
            if (item.Holder == victim.Number && item.State == ItemState.Queued)
            {
                stolen.Add(item);
            }
        }

        stolen.Reverse();
        return stolen.Count == 0 ? null : [.. stolen];
    }

    private static int CountWaiting(WorkerSlot slot)
    {
        if (slot.Batch is not { Length: > 1 } batch)
        {
            return 0;
        }

        var waiting = 0;
        var running = false;
        foreach (var item in batch)
        {
            var state = item.State;
            waiting += item.Holder == slot.Number && state == ItemState.Queued ? 1 : 0;
            running |= item.RunBy == slot.Number && state == ItemState.Running;
        }

        // A worker between tasks is about to start its next waiting one anyway; one stuck in a
        // task leaves every waiting one waiting.
        return running ? waiting : waiting - 1;
    }

    private void MarkRetiring(WorkerSlot slot)
    {
        if (!slot.Retiring)
        {
            slot.Retiring = true;
            _retiring++;
        }
    }
}
