namespace ActorPool.Tests;

/// <summary>Small synchronisation aids so tests wait on signals, never on sleeps.</summary>
internal static class TestSignals
{
    /// <summary>Generous upper bound for things that should take milliseconds.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static Task WaitAsync(this TaskCompletionSource gate) => gate.Task.WaitAsync(Patience);
}

/// <summary>Counts tasks running at once and remembers the highest count seen.</summary>
internal sealed class ConcurrencyMeter
{
    private int _current;
    private int _max;

    public int Max => Volatile.Read(ref _max);

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
