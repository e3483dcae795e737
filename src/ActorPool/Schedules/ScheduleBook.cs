namespace ActorPool.Schedules;

/// <summary>One schedule and how it is doing; changed only by its <see cref="ScheduleBook"/>.</summary>
internal sealed class ScheduleEntry(ScheduleDefinition definition)
{
    public ScheduleDefinition Definition { get; set; } = definition;

    /// <summary>When this node was given the schedule: a node taking it over fires nothing from before.</summary>
    public DateTimeOffset Since { get; init; }

    /// <summary>The next occurrence not yet handled; null when the expression has none left.</summary>
    public DateTimeOffset? Next { get; set; }

    /// <summary>The newest occurrence handled (run, skipped or merged).</summary>
    public DateTimeOffset? LastOccurrence { get; set; }

    /// <summary>The occurrence of the newest run.</summary>
    public DateTimeOffset? LastRun { get; set; }

    public long? LastTaskId { get; set; }

    /// <summary>Runs started and not yet ended.</summary>
    public int Running { get; set; }

    /// <summary>Under <see cref="OverlapPolicy.Queue"/>: the occurrence waiting for the running one to end.</summary>
    public DateTimeOffset? Waiting { get; set; }

    public long Fires { get; set; }

    public long LateFires { get; set; }

    public long SkippedFires { get; set; }
}

/// <summary>A run to start: the schedule's occurrence, or null for <see cref="PoolSchedules.TriggerNow"/>.</summary>
internal readonly record struct ScheduleFire(ScheduleEntry Entry, ScheduleDefinition Definition, DateTimeOffset? Occurrence);

/// <summary>
/// The schedules of one pool as plain state: which occurrences are due at a time, and what the
/// overlap and misfire rules make of them. It keeps no clock and no lock: its host gives it the
/// time and keeps it on one thread at a time, and starts the runs it hands back.
/// </summary>
internal sealed class ScheduleBook
{
    /// <summary>A run that starts later than this after its occurrence counts as late.</summary>
    public static readonly TimeSpan LateAfter = TimeSpan.FromSeconds(1);

    /// <summary>Occurrences counted one by one at most, when a long gap is skipped.</summary>
    private const int MaxCounted = 100_000;

    private readonly Dictionary<string, ScheduleEntry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    /// <summary>The earliest time something is due; null when nothing will ever be.</summary>
    public DateTimeOffset? NextWake => _entries.Values.Min(entry => entry.Next);

    public long LateFires => _entries.Values.Sum(entry => entry.LateFires);

    public ScheduleEntry? Find(string id) => _entries.GetValueOrDefault(id);

    /// <summary>
    /// Adds a schedule or replaces the definition of one with its id, keeping its figures. A new
    /// one's first occurrence is the first after <paramref name="lastOccurrence"/> (one read back
    /// from a journal) or else after <paramref name="now"/>; a replaced one keeps its next
    /// occurrence unless its times changed.
    /// </summary>
    /// <remarks>Call <see cref="Conflict"/> first: a schedule's id never changes what it runs.</remarks>
    public void Set(ScheduleDefinition definition, DateTimeOffset now, DateTimeOffset? lastOccurrence = null)
    {
        if (_entries.TryGetValue(definition.Id, out var entry))
        {
            var sameTimes = entry.Definition.SameTimes(definition);
            entry.Definition = definition;
            if (!sameTimes)
            {
                entry.Next = definition.NextAfter(now);
            }

            return;
        }

        _entries[definition.Id] = new ScheduleEntry(definition)
        {
            LastOccurrence = lastOccurrence,
            LastRun = lastOccurrence,
            Since = lastOccurrence ?? now,
            Next = definition.NextAfter(lastOccurrence ?? now),
        };
    }

    /// <summary>Why <paramref name="definition"/> cannot replace the schedule with its id, or null when it can.</summary>
    public string? Conflict(ScheduleDefinition definition) =>
        _entries.TryGetValue(definition.Id, out var entry) && entry.Definition.Handler != definition.Handler
            ? $"Schedule '{definition.Id}' runs {entry.Definition.Describe()}; it cannot be changed to run {definition.Describe()}. Remove it first, or give the new schedule another id."
            : null;

    public bool Remove(string id) => _entries.Remove(id);

    /// <summary>
    /// A schedule read back from a journal with the newest occurrence that ran: occurrences after it
    /// are due (late, or missed by the misfire rule). One added again since the start keeps its new
    /// definition, and takes the journal's place in its times when they are the same.
    /// </summary>
    public void Restore(ScheduleDefinition definition, DateTimeOffset? lastOccurrence, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(definition.Id, out var entry))
        {
            Set(definition, now, lastOccurrence);
            return;
        }

        if (lastOccurrence is { } last && entry.Definition.SameTimes(definition))
        {
            entry.LastOccurrence = last;
            entry.LastRun ??= last;
            entry.Next = entry.Definition.NextAfter(last);
        }
    }

    /// <summary>
    /// Another node fired the occurrences until about now: each schedule's next is its first after
    /// <paramref name="now"/> less <paramref name="catchUp"/> (at most its misfire threshold, so that
    /// the occurrences fired again each run late, or join the run they already had).
    /// </summary>
    public void ResumeFrom(DateTimeOffset now, TimeSpan catchUp)
    {
        foreach (var entry in _entries.Values)
        {
            var back = catchUp < entry.Definition.Options.MisfireThreshold ? catchUp : entry.Definition.Options.MisfireThreshold;
            var from = now - back;
            entry.Next = entry.Definition.NextAfter(from > entry.Since ? from : entry.Since);
            entry.Waiting = null;
            entry.Running = 0;
        }
    }

    /// <summary>The runs due at <paramref name="now"/>, with the misfire and overlap rules applied.</summary>
    public List<ScheduleFire> Due(DateTimeOffset now)
    {
        var fires = new List<ScheduleFire>();
        foreach (var entry in _entries.Values)
        {
            if (entry.Next is not { } next || next > now)
            {
                continue;
            }

            var definition = entry.Definition;
            var cutoff = now - definition.Options.MisfireThreshold;
            if (next < cutoff)
            {
                Misfired(entry, next, cutoff, now, fires);
            }

            while (entry.Next is { } due && due <= now)
            {
                Handle(entry, due, now, fires);
                entry.Next = definition.NextAfter(due);
            }
        }

        return fires;
    }

    /// <summary>A run of <paramref name="entry"/> ended: under <see cref="OverlapPolicy.Queue"/>, the occurrence that waited for it starts now.</summary>
    public ScheduleFire? Ended(ScheduleEntry entry, DateTimeOffset now)
    {
        entry.Running = Math.Max(0, entry.Running - 1);
        if (Find(entry.Definition.Id) != entry || entry.Running > 0 || entry.Waiting is not { } waiting)
        {
            return null;
        }

        entry.Waiting = null;
        return Start(entry, waiting, now);
    }

    /// <summary>A run asked for now, outside the expression and the overlap rule.</summary>
    public static ScheduleFire Trigger(ScheduleEntry entry)
    {
        entry.Running++;
        entry.Fires++;
        return new ScheduleFire(entry, entry.Definition, null);
    }

    public IReadOnlyList<ScheduleInfo> List() =>
    [
        .. _entries.Values.OrderBy(entry => entry.Definition.Id, StringComparer.Ordinal).Select(entry => new ScheduleInfo
        {
            Id = entry.Definition.Id,
            Cron = entry.Definition.Cron,
            Handler = entry.Definition.Handler,
            TimeZone = entry.Definition.Zone.Id,
            Overlap = entry.Definition.Options.Overlap,
            Misfire = entry.Definition.Options.Misfire,
            NextRun = entry.Next,
            LastRun = entry.LastRun,
            LastTaskId = entry.LastTaskId,
            Running = entry.Running > 0,
            Fires = entry.Fires,
            LateFires = entry.LateFires,
            SkippedFires = entry.SkippedFires,
        }),
    ];

    /// <summary>Occurrences from <paramref name="first"/> to before <paramref name="cutoff"/> were missed: one run for all, or none.</summary>
    private static void Misfired(ScheduleEntry entry, DateTimeOffset first, DateTimeOffset cutoff, DateTimeOffset now, List<ScheduleFire> fires)
    {
        var definition = entry.Definition;
        var missed = 0L;
        DateTimeOffset? next = first;
        while (next is { } occurrence && occurrence < cutoff && missed < MaxCounted)
        {
            missed++;
            next = definition.NextAfter(occurrence);
        }

        if (next is { } beyond && beyond < cutoff)
        {
            next = definition.NextAfter(cutoff - TimeSpan.FromTicks(1));
        }

        entry.Next = next;
        if (definition.Options.Misfire == MisfirePolicy.RunOnce)
        {
            // The run is named after the first missed occurrence: a host that reads the same journal again names it the same.
            Handle(entry, first, now, fires);
            missed--;
        }
        else
        {
            entry.LastOccurrence = first;
        }

        entry.SkippedFires += missed;
    }

    private static void Handle(ScheduleEntry entry, DateTimeOffset occurrence, DateTimeOffset now, List<ScheduleFire> fires)
    {
        entry.LastOccurrence = occurrence;
        if (entry.Running > 0)
        {
            switch (entry.Definition.Options.Overlap)
            {
                case OverlapPolicy.Skip:
                    entry.SkippedFires++;
                    return;
                case OverlapPolicy.Queue:
                    if (entry.Waiting is null)
                    {
                        entry.Waiting = occurrence;
                    }
                    else
                    {
                        entry.SkippedFires++;
                    }

                    return;
            }
        }

        fires.Add(Start(entry, occurrence, now));
    }

    private static ScheduleFire Start(ScheduleEntry entry, DateTimeOffset occurrence, DateTimeOffset now)
    {
        entry.Running++;
        entry.Fires++;
        entry.LastRun = occurrence;
        if (now - occurrence > LateAfter)
        {
            entry.LateFires++;
        }

        return new ScheduleFire(entry, entry.Definition, occurrence);
    }
}
