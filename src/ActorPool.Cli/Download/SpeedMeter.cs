using System.Diagnostics;

namespace ActorPool.Cli.Download;

/// <summary>Current (last second) and peak speed from periodic samples of a byte counter.</summary>
internal sealed class SpeedMeter
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private readonly Queue<(long At, long Bytes)> _samples = new();

    /// <summary>Bytes per second over the last second.</summary>
    public double Current { get; private set; }

    /// <summary>The highest <see cref="Current"/> seen.</summary>
    public double Peak { get; private set; }

    /// <summary>Adds a sample of the running byte total.</summary>
    public void Sample(long totalBytes)
    {
        var now = Stopwatch.GetTimestamp();
        _samples.Enqueue((now, totalBytes));
        while (_samples.Count > 2 && Stopwatch.GetElapsedTime(_samples.Peek().At, now) > Window)
        {
            _samples.Dequeue();
        }

        var (at, bytes) = _samples.Peek();
        var span = Stopwatch.GetElapsedTime(at, now);
        Current = span > TimeSpan.Zero ? (totalBytes - bytes) / span.TotalSeconds : 0;
        Peak = Math.Max(Peak, Current);
    }
}
