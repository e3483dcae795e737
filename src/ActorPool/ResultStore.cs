namespace ActorPool;

/// <summary>
/// The pool's results, keyed by task id and bounded to the most recent <c>capacity</c>
/// outcomes, with a count per outcome and recent run times. Written by the result aggregator,
/// read by any thread.
/// </summary>
internal sealed class ResultStore(int capacity, Action<TaskResult>? hook = null)
{
    /// <summary>Run times kept for the percentile.</summary>
    private const int DurationWindow = 4096;

    /// <summary>Guards every field below; held only for O(1) work or one copy.</summary>
    private readonly Lock _resultsLock = new();

    private readonly Dictionary<long, TaskResult> _results = [];

    /// <summary>Task ids in the order their outcomes arrived, for evicting the oldest.</summary>
    private readonly Queue<long> _order = new();

    /// <summary>Outcomes recorded so far, indexed by <see cref="TaskOutcome"/>.</summary>
    private readonly long[] _outcomes = new long[Enum.GetValues<TaskOutcome>().Length];

    /// <summary>A ring of the most recent run times.</summary>
    private readonly TimeSpan[] _durations = new TimeSpan[DurationWindow];

    private long _ran;
    private TimeSpan _totalDuration;

    /// <summary>The pool-wide <see cref="WorkerPoolOptions.OnTaskCompleted"/> hook; the aggregator calls it after each <see cref="Add"/>.</summary>
    public Action<TaskResult>? Hook { get; } = hook;

    /// <summary>Measures every stored result; set once, before the pool's actors start.</summary>
    public Diagnostics.PoolMetrics? Metrics { get; set; }

    public void Add(TaskResult result)
    {
        lock (_resultsLock)
        {
            _outcomes[(int)result.Outcome]++;
            if (result.Attempts > 0)
            {
                _durations[_ran % DurationWindow] = result.Duration;
                _ran++;
                _totalDuration += result.Duration;
            }

            if (capacity > 0 && _results.TryAdd(result.TaskId, result))
            {
                _order.Enqueue(result.TaskId);
                if (_order.Count > capacity)
                {
                    _results.Remove(_order.Dequeue());
                }
            }
        }

        Metrics?.Record(result);
    }

    /// <summary>How many outcomes of one kind were recorded.</summary>
    public long Count(TaskOutcome outcome)
    {
        lock (_resultsLock)
        {
            return _outcomes[(int)outcome];
        }
    }

    public Dictionary<long, TaskResult> Snapshot()
    {
        lock (_resultsLock)
        {
            return new Dictionary<long, TaskResult>(_results);
        }
    }

    /// <summary>Fills the outcome and duration figures of <paramref name="stats"/>.</summary>
    public PoolStats AddTo(PoolStats stats)
    {
        TimeSpan[] recent;
        long[] outcomes;
        long ran;
        TimeSpan total;
        lock (_resultsLock)
        {
            ran = _ran;
            total = _totalDuration;
            outcomes = (long[])_outcomes.Clone();
            recent = _durations[..(int)Math.Min(ran, DurationWindow)];
        }

        Array.Sort(recent);
        return stats with
        {
            Succeeded = outcomes[(int)TaskOutcome.Succeeded],
            Failed = outcomes[(int)TaskOutcome.Failed],
            Cancelled = outcomes[(int)TaskOutcome.Cancelled],
            TimedOut = outcomes[(int)TaskOutcome.TimedOut],
            Dropped = outcomes[(int)TaskOutcome.Dropped],
            MeanDuration = ran == 0 ? TimeSpan.Zero : total / ran,
            P99Duration = recent.Length == 0 ? TimeSpan.Zero : recent[(int)Math.Ceiling(recent.Length * 0.99) - 1],
        };
    }
}
