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

    /// <summary>Outcomes whose deduplication key is still taken, by key: kept past <see cref="Recent"/>'s bound until their window ends.</summary>
    private readonly Dictionary<string, DurableOutcome> _keyed = new(StringComparer.Ordinal);

    /// <summary>The recurring tasks by id, each with the newest occurrence that ran.</summary>
    private readonly Dictionary<string, DurableSchedule> _schedules = new(StringComparer.Ordinal);

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

    /// <summary>Finished tasks whose deduplication key is still taken (see <see cref="DurableOutcome.DedupUntil"/>).</summary>
    public IReadOnlyCollection<DurableOutcome> Keyed => _keyed.Values;

    /// <summary>The recurring tasks, each with the newest occurrence that ran.</summary>
    public IReadOnlyCollection<DurableSchedule> Schedules => _schedules.Values;

    /// <summary>Whether <paramref name="schedule"/> would change what the journal holds for its id (its newest occurrence aside).</summary>
    public bool Changes(DurableSchedule schedule) =>
        !_schedules.TryGetValue(schedule.Id, out var held) || !SameDefinition(held, schedule);

    public bool HasSchedule(string id) => _schedules.ContainsKey(id);

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

                foreach (var outcome in snapshot.Keyed ?? [])
                {
                    _keyed[outcome.DedupKey!] = outcome;
                }

                foreach (var schedule in snapshot.Schedules ?? [])
                {
                    _schedules[schedule.Id] = schedule;
                }

                break;
            case TasksJournaled journaled:
                Accept(journaled.Tasks);
                foreach (var fired in journaled.Fired ?? [])
                {
                    if (_schedules.TryGetValue(fired.Id, out var schedule) && !(schedule.LastOccurrence >= fired.Occurrence))
                    {
                        _schedules[fired.Id] = schedule with { LastOccurrence = fired.Occurrence };
                    }
                }

                break;
            case ScheduleSaved saved:
                _schedules[saved.Schedule.Id] = saved.Schedule with
                {
                    LastOccurrence = _schedules.GetValueOrDefault(saved.Schedule.Id)?.LastOccurrence ?? saved.Schedule.LastOccurrence,
                };
                break;
            case ScheduleRemoved removed:
                _schedules.Remove(removed.Id);
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

    /// <summary>The state as one snapshot; keys whose window ended by <paramref name="now"/> are let go first.</summary>
    public JournalSnapshot Snapshot(DateTimeOffset now)
    {
        foreach (var (key, outcome) in _keyed.ToList())
        {
            if (outcome.DedupUntil <= now)
            {
                _keyed.Remove(key);
            }
        }

        return new(LastId, [.. Unfinished], [.. _recent], _keyed.Count == 0 ? null : [.. _keyed.Values], _schedules.Count == 0 ? null : [.. _schedules.Values]);
    }

    private static bool SameDefinition(DurableSchedule a, DurableSchedule b) =>
        a.Cron == b.Cron && a.TimeZone == b.TimeZone && a.Handler == b.Handler && a.Payload.AsSpan().SequenceEqual(b.Payload)
        && a.Overlap == b.Overlap && a.Misfire == b.Misfire && a.MisfireThresholdTicks == b.MisfireThresholdTicks && a.Task == b.Task;

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
        if (outcome is { DedupKey: { } key, DedupUntil: not null })
        {
            _keyed[key] = outcome;
        }

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
