namespace ActorPool.Cli.Download;

/// <summary>Current (last second) and peak speed from periodic samples of a byte counter.</summary>
internal sealed class SpeedMeter(TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private readonly Queue<(long At, long Bytes)> _samples = new();

    /// <summary>Bytes per second over the last second.</summary>
    public double Current { get; private set; }

    /// <summary>The highest speed measured over any window so far, the whole run's average included.</summary>
    /// <remarks>
    /// The whole run is a window too: counting its average keeps the peak from ever showing below
    /// the average (it would, early on, before one full second of samples exists).
    /// </remarks>
    public double Peak { get; private set; }

    /// <summary>Adds a sample of the running byte total and the run's average so far.</summary>
    public void Sample(long totalBytes, double average)
    {
        var now = time.GetTimestamp();
        _samples.Enqueue((now, totalBytes));
        while (_samples.Count > 2 && time.GetElapsedTime(_samples.Peek().At, now) > Window)
        {
            _samples.Dequeue();
        }

        var (at, bytes) = _samples.Peek();
        var span = time.GetElapsedTime(at, now);
        Current = span > TimeSpan.Zero ? (totalBytes - bytes) / span.TotalSeconds : 0;
        Peak = Math.Max(Peak, Math.Max(Current, average));
    }
}
