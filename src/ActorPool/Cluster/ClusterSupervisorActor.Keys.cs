using Akka.Actor;
using Akka.Event;

namespace ActorPool.Cluster;

// The clustered supervisor's keys: deduplication (one task per key, whichever node submits it)
// and per-key concurrency (what the singleton hands out, across every node).
internal sealed partial class ClusterSupervisorActor
{
    /// <summary>
    /// Gives ids to a batch of submits: a new task with a key that is taken (here, or earlier in the
    /// same batch) gets the id of the task holding it and is marked joined; null marks when none joined.
    /// </summary>
    private (WireSubmit[] Tasks, bool[]? Joined) IssueIds(WireSubmit[] submits)
    {
        var tasks = new WireSubmit[submits.Length];
        bool[]? joined = null;
        Dictionary<string, long>? batchKeys = null;
        var now = _options.TimeProvider.GetTimestamp();
        for (var i = 0; i < submits.Length; i++)
        {
            var task = submits[i];
            if (task.Id != 0)
            {
                tasks[i] = task; // a front submits it again after a failover: it keeps its id
                continue;
            }

            if (task.Options?.DedupKey is { } key)
            {
                var holder = _keys.TryGetValue(key, out var entry) && !entry.ExpiredAt(now) ? entry.Id : (long?)null;
                if (holder is null && batchKeys?.TryGetValue(key, out var same) == true)
                {
                    holder = same;
                }

                if (holder is { } id)
                {
                    tasks[i] = task with { Id = id };
                    (joined ??= new bool[submits.Length])[i] = true;
                    continue;
                }

                tasks[i] = task with { Id = ++_nextId };
                (batchKeys ??= new(StringComparer.Ordinal))[key] = tasks[i].Id;
                continue;
            }

            tasks[i] = task with { Id = ++_nextId };
        }

        return (tasks, joined);
    }

    /// <summary>A front's submit joined the task holding its key: the front hears that task's outcome.</summary>
    private void JoinByKey(WireSubmit task, IActorRef front)
    {
        _deduplicated++;
        if (_live.TryGetValue(task.Id, out var item))
        {
            item.Join(front);
        }
        else if (_keys.TryGetValue(task.Options!.DedupKey!, out var entry) && entry.Outcome is { } outcome)
        {
            Send(front, outcome); // finished within its window
        }
        else if (_finishedRecently.TryGetValue(task.Id, out var finished))
        {
            Send(front, finished);
        }
    }

    /// <summary>A task taken in holds its key, unless another task already does.</summary>
    private void HoldKey(ClusterItem item)
    {
        if (item.DedupKey is { } key && (!_keys.TryGetValue(key, out var entry) || entry.ExpiredAt(_options.TimeProvider.GetTimestamp())))
        {
            _keys[key] = new ClusterKey(item.Id);
        }
    }

    /// <summary>A keyed task settled: its key stays taken for its window, answering repeats with this outcome.</summary>
    private void FinishKey(ClusterItem item, WireOutcome outcome)
    {
        if (item.DedupKey is not { } key || !_keys.TryGetValue(key, out var entry) || entry.Id != item.Id)
        {
            return;
        }

        var window = item.DedupWindow ?? _options.DeduplicationWindow;
        var now = _options.TimeProvider.GetTimestamp();
        if (window > TimeSpan.Zero)
        {
            entry.Finish(outcome, now + OptionLimits.Timestamps(window, _options.TimeProvider));
            _keyWindows.Enqueue((key, entry));
        }
        else
        {
            _keys.Remove(key);
        }

        while (_keyWindows.TryPeek(out var head) && head.Entry.ExpiredAt(now))
        {
            _keyWindows.Dequeue();
            if (_keys.TryGetValue(head.Key, out var current) && ReferenceEquals(current, head.Entry))
            {
                _keys.Remove(head.Key);
            }
        }
    }

    /// <summary>After a failover of a durable pool: keys of finished tasks still in their window are taken again.</summary>
    private void RecoverKeys()
    {
        var now = _options.TimeProvider.GetUtcNow();
        foreach (var outcome in _journal.Keyed)
        {
            var left = outcome.DedupUntil!.Value - now;
            if (left > TimeSpan.Zero)
            {
                var entry = new ClusterKey(outcome.Id);
                entry.Finish(
                    new WireOutcome(outcome.Id, outcome.Outcome, outcome.Result, outcome.ErrorType, outcome.ErrorMessage, outcome.DurationTicks, outcome.StartedAt, outcome.Attempts, RetryWanted: false, outcome.Node),
                    _options.TimeProvider.GetTimestamp() + OptionLimits.Timestamps(left, _options.TimeProvider));
                _keys[outcome.DedupKey!] = entry;
                _keyWindows.Enqueue((outcome.DedupKey!, entry));
            }
        }
    }

    /// <summary>
    /// A new supervisor (first start, or after a failover of a pool that is not durable) learns the
    /// keys of waiting tasks only from the fronts that submit them again, so until every member's
    /// front has done so (or <see cref="KeysSettleTimeout"/> has passed), a batch with a new keyed task waits.
    /// </summary>
    private bool HoldForKeys(SubmitTasks submit)
    {
        if (_keysSettled || !Array.Exists(submit.Tasks, static task => task.Id == 0 && task.Options?.DedupKey is not null))
        {
            return false;
        }

        _heldForKeys.Add(submit);
        return true;
    }

    private void HandleFrontResubmitted(FrontResubmitted resubmitted)
    {
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        var address = resubmitted.Front.Path.Address;
        _resubmittedNodes.Add(address.HasLocalScope ? cluster.SelfAddress : address); // this node's front is a local ref
        if (!_keysSettled && cluster.State.Members.Where(m => m.Status == Akka.Cluster.MemberStatus.Up).All(m => _resubmittedNodes.Contains(m.Address)))
        {
            SettleKeys("every member's front submitted its tasks again");
        }
    }

    /// <summary>The keys are complete: the batches held for them go through, in order.</summary>
    private void SettleKeys(string why)
    {
        if (_keysSettled)
        {
            return;
        }

        _keysSettled = true;
        Timers.Cancel(KeysSettleTimer);
        if (_heldForKeys.Count > 0)
        {
            _log.Info("Pool {0}: {1} keyed batches held until the keys were complete go through ({2})", _pool, _heldForKeys.Count, why);
        }

        var held = _heldForKeys.ToArray();
        _heldForKeys.Clear();
        foreach (var submit in held)
        {
            HandleSubmit(submit);
        }
    }

    /// <summary>How long a new supervisor waits for every front before it takes keyed tasks anyway: well inside a front's ask timeout.</summary>
    private TimeSpan KeysSettleTimeout => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, OptionLimits.Cap(_options.AskTimeout).Ticks / 2));

    /// <summary>Takes a task that has not started out of the queue, or out of waiting aside for its key; false if it is in neither.</summary>
    private bool RemoveWaiting(ClusterItem item) => _queue.Remove(item) || _keyLimits?.Remove(item) == true || _delayed.TryTake(item.Id, out _);

    /// <summary>The task's run ended or it went back unrun: its concurrency key frees a slot, and the first task waiting aside for it is queued again.</summary>
    private void ReleaseKey(ClusterItem item)
    {
        if (_keyLimits?.Release(item) is { } next)
        {
            _queue.EnqueueFront(next);
        }
    }

    /// <summary>The wait for the fronts' keys is over.</summary>
    private sealed class KeysSettleDue : INoSerializationVerificationNeeded
    {
        public static readonly KeysSettleDue Instance = new();
    }

    /// <summary>One deduplication key: the id of the task holding it, and that task's outcome once it finished.</summary>
    private sealed class ClusterKey(long id)
    {
        public long Id { get; } = id;

        public WireOutcome? Outcome { get; private set; }

        private long Until { get; set; }

        public bool ExpiredAt(long now) => Outcome is not null && now >= Until;

        public void Finish(WireOutcome outcome, long until)
        {
            Outcome = outcome;
            Until = until;
        }
    }
}
