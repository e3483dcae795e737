using ActorPool.Work;

namespace ActorPool.Actors.Supervision;

/// <summary>
/// Failed tasks waiting out their backoff before another try, and the backoff itself:
/// exponential with equal jitter (half the step fixed, half random), capped.
/// </summary>
internal sealed class RetrySchedule(TimeSpan backoff, TimeSpan maxBackoff, Func<double>? random = null)
{
    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;
    private readonly Dictionary<long, WorkItem> _waiting = [];

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
        return Backoff(item.Attempts);
    }

    /// <summary>The backoff of task <paramref name="id"/> passed: hands it back, if it still waits.</summary>
    public bool TryTake(long id, out WorkItem item) => _waiting.Remove(id, out item!);

    /// <summary>The tasks waiting out their backoff.</summary>
    public IEnumerable<WorkItem> Waiting => _waiting.Values;

    /// <summary>Empties the schedule: the pool stops, so no task tries again.</summary>
    public List<WorkItem> TakeAll()
    {
        var all = _waiting.Values.ToList();
        _waiting.Clear();
        return all;
    }
}
