namespace ActorPool.Tests;

/// <summary>Counts tasks running at once and remembers the highest count seen.</summary>
internal sealed class ConcurrencyMeter
{
    private int _current;
    private int _max;

    public int Max => Volatile.Read(ref _max);

    /// <summary>How many run now.</summary>
    public int Current => Volatile.Read(ref _current);

    public IDisposable Enter()
    {
        var now = Interlocked.Increment(ref _current);
        int seen;
        while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen)
        {
        }

        return new Exit(this);
    }

    private sealed class Exit(ConcurrencyMeter meter) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref meter._current);
    }
}

/// <summary>Occupies a pool's workers until released, so tests can fill its queue deterministically.</summary>
internal sealed class Blocker
{
    private readonly TaskCompletionSource _release = TestSignals.NewGate();
    private readonly List<TaskCompletionSource> _started = [];

    /// <summary>Submits <paramref name="workers"/> tasks that hold their workers, and waits until all run.</summary>
    public static async Task<Blocker> OccupyAsync(WorkerPool pool, int workers)
    {
        var blocker = new Blocker();
        for (var i = 0; i < workers; i++)
        {
            var started = TestSignals.NewGate();
            blocker._started.Add(started);
            await pool.SubmitAsync(async _ =>
            {
                started.TrySetResult();
                await blocker._release.Task;
            });
        }

        await Task.WhenAll(blocker._started.Select(s => s.Task)).WaitAsync(TestSignals.Patience);
        return blocker;
    }

    public void Release() => _release.TrySetResult();
}

/// <summary>A clock that moves only when told.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
