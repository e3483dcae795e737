namespace ActorPool;

/// <summary>Settings of the automatic resizer (<see cref="WorkerPoolOptions.Resizer"/>).</summary>
/// <remarks>
/// Every <see cref="Interval"/> the pool looks at its queue: tasks waiting while every worker is
/// busy add workers (up to one per waiting task, at most doubling), and workers idle for a whole
/// interval with nothing queued are retired one at a time, always within the bounds.
/// Akka's own <c>DefaultResizer</c> judges pressure from routee mailboxes, which work pulling
/// keeps empty, and only runs when messages are routed; so the pool decides from its own queue
/// and grows or shrinks its router with <c>AdjustPoolSize</c> and <c>RemoveRoutee</c>.
/// </remarks>
public sealed class ResizerOptions
{
    /// <summary>The fewest workers the resizer keeps.</summary>
    /// <value>Defaults to 1. Must be &gt; 0.</value>
    public int LowerBound { get; set; } = 1;

    /// <summary>The most workers the resizer allows.</summary>
    /// <value>Defaults to 10. Must be &gt;= <see cref="LowerBound"/>.</value>
    public int UpperBound { get; set; } = 10;

    /// <summary>How often the resizer looks at the queue.</summary>
    /// <value>Defaults to 1 second. Must be &gt; 0.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    internal void Validate()
    {
        if (LowerBound <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LowerBound), LowerBound, $"Resizer.{nameof(LowerBound)} must be > 0, was: {LowerBound}.");
        }

        if (UpperBound < LowerBound)
        {
            throw new ArgumentOutOfRangeException(nameof(UpperBound), UpperBound, $"Resizer.{nameof(UpperBound)} must be >= Resizer.{nameof(LowerBound)} ({LowerBound}), was: {UpperBound}.");
        }

        if (Interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Interval), Interval, $"Resizer.{nameof(Interval)} must be > 0, was: {Interval}.");
        }
    }
}
