using ActorPool.Work;

namespace ActorPool.Actors.Supervision;

/// <summary>
/// Failed tasks waiting out their backoff before another try, and the backoff itself:
/// exponential with equal jitter (half the step fixed, half random), capped. With a clock, each
/// wait is a timer on it (the pool's <see cref="TimeProvider"/>, so a test's fake clock moves retries too).
/// </summary>
internal sealed class RetrySchedule(TimeSpan backoff, TimeSpan maxBackoff, Func<double>? random = null, TimeProvider? time = null, Action<long>? onDue = null)
{
    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;
    private readonly Dictionary<long, WorkItem> _waiting = [];
    private readonly Dictionary<long, ITimer> _timers = [];

    public int Count => _waiting.Count;

    /// <summary>The delay before the try after <paramref name="attemptsSoFar"/> tries.</summary>
    public TimeSpan Backoff(int attemptsSoFar)
    {
        var step = backoff.TotalMilliseconds * Math.Pow(2, Math.Clamp(attemptsSoFar - 1, 0, 30));
        var capped = Math.Min(step, maxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((capped / 2) + (_random() * capped / 2));
    }

    /// <summary>Holds a task until its next try; returns the delay to wait.</summary>
    public TimeSpan Add(WorkItem item)
    {
        _waiting[item.Id] = item;
        var delay = Backoff(item.Attempts);
        if (time is not null && onDue is not null)
        {
            var id = item.Id;
            _timers[id] = time.CreateTimer(_ => onDue(id), null, delay, Timeout.InfiniteTimeSpan);
        }

        return delay;
    }

    /// <summary>The backoff of task <paramref name="id"/> passed, or it is cancelled: hands it back, if it still waits.</summary>
    public bool TryTake(long id, out WorkItem item)
    {
        if (_timers.Remove(id, out var timer))
        {
            timer.Dispose();
        }

        return _waiting.Remove(id, out item!);
    }

    /// <summary>The tasks waiting out their backoff.</summary>
    public IEnumerable<WorkItem> Waiting => _waiting.Values;

    /// <summary>Empties the schedule: the pool stops, so no task tries again.</summary>
    public List<WorkItem> TakeAll()
    {
        var all = _waiting.Values.ToList();
        _waiting.Clear();
        StopTimers();
        return all;
    }

    /// <summary>No retry is due any more: its owner stopped.</summary>
    public void StopTimers()
    {
        foreach (var timer in _timers.Values)
        {
            timer.Dispose();
        }

        _timers.Clear();
    }
}
