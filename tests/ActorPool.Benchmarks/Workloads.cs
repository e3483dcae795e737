using System.Diagnostics;

namespace ActorPool.Benchmarks;

/// <summary>The task bodies every contender runs.</summary>
public static class Workloads
{
    /// <summary>Nothing: measures the pool's own cost per task.</summary>
    public static readonly Func<CancellationToken, Task> NoOp = static _ => Task.CompletedTask;

    /// <summary>I/O-bound: a 10 ms timer (about 12 ms on Linux).</summary>
    public static readonly Func<CancellationToken, Task> Io10Ms = static ct => Task.Delay(10, ct);

    /// <summary>CPU-bound: about 50 µs of arithmetic.</summary>
    public static readonly Func<CancellationToken, Task> Cpu50Us = static _ =>
    {
        Spin(TimeSpan.FromTicks(500));
        return Task.CompletedTask;
    };

    /// <summary>Keeps the thread busy with arithmetic for <paramref name="duration"/>.</summary>
    public static long Spin(TimeSpan duration)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long x = 17;
        while (Stopwatch.GetTimestamp() < until)
        {
            for (var i = 0; i < 64; i++)
            {
                x = (x * 31) + i;
            }
        }

        return x;
    }
}
