namespace ActorPool.Actors.Supervision;

/// <summary>
/// How many waiting tasks one worker is handed at once. One, unless recent tasks ran for
/// microseconds and nothing needs a decision per start (priority, rate limit, breaker, a stop):
/// then a batch spares a round trip per task. For longer tasks a batch would only let one
/// worker sit on tasks another could start, so they go one by one.
/// </summary>
internal sealed class BatchSizer(int maxBatch = BatchSizer.DefaultMaxBatch, TimeSpan? tinyTask = null)
{
    /// <summary>The most tasks handed to one worker at once.</summary>
    public const int DefaultMaxBatch = 32;

    /// <summary>How much each newly observed run moves the average.</summary>
    private const double Weight = 0.1;

    private readonly double _tinyTicks = (tinyTask ?? TimeSpan.FromMilliseconds(0.1)).Ticks;

    /// <summary>A moving average of run times in ticks; starts high so the first tasks go one by one.</summary>
    public double MeanRunTicks { get; private set; } = TimeSpan.TicksPerSecond;

    /// <summary>Takes in the runs a worker reports with a batch: <paramref name="runs"/> runs taking <paramref name="ticks"/> in all.</summary>
    public void Observe(int runs, long ticks)
    {
        if (runs <= 0)
        {
            return;
        }

        // The same as applying each run's time in turn, with the batch's mean standing for each.
        var keep = Math.Pow(1 - Weight, runs);
        MeanRunTicks = (MeanRunTicks * keep) + ((double)ticks / runs * (1 - keep));
    }

    /// <summary>The batch for the next idle worker.</summary>
    /// <param name="queued">Tasks waiting in the queue.</param>
    /// <param name="otherIdle">Idle workers besides the one being served, which should get a share.</param>
    /// <param name="decidePerStart">Whether each start needs its own decision (priority, rate limit, breaker, stopping).</param>
    public int Next(int queued, int otherIdle, bool decidePerStart)
    {
        if (decidePerStart || MeanRunTicks > _tinyTicks)
        {
            return 1;
        }

        var share = (queued + otherIdle) / (otherIdle + 1);
        return Math.Clamp(share, 1, maxBatch);
    }
}
