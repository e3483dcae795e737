namespace ActorPool;

/// <summary>The bounds every option is checked against, and what counts as "no limit" for a duration.</summary>
internal static class OptionLimits
{
    /// <summary>The most workers a pool may have.</summary>
    public const int MaxWorkers = 10_000;

    /// <summary>The largest <see cref="WorkerPoolOptions.RateBurst"/>.</summary>
    public const int MaxRateBurst = 1_000_000;

    /// <summary>The slowest start rate: one task in 1,000 s.</summary>
    public const double MinTasksPerSecond = 0.001;

    /// <summary>The fastest start rate.</summary>
    public const double MaxTasksPerSecond = 1_000_000;

    /// <summary>The most results a pool may keep.</summary>
    public const int MaxRetainedResults = 10_000_000;

    /// <summary>The most tries a task may have.</summary>
    public const int MaxAttempts = 1_000;

    /// <summary>The longest deduplication or concurrency key.</summary>
    public const int MaxKeyLength = 256;

    /// <summary>The largest per-key concurrency limit.</summary>
    public const int MaxConcurrencyLimit = 1_000_000;

    /// <summary>The longest <see cref="TaskOptions.Delay"/>.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(3650);

    /// <summary>Durations of this length or more mean "no limit": timers cannot wait longer (about 24.8 days).</summary>
    public static readonly TimeSpan Forever = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>A duration as a limit: null for none (<see cref="Timeout.InfiniteTimeSpan"/> or <see cref="Forever"/> and beyond).</summary>
    public static TimeSpan? Limit(TimeSpan value) =>
        value == Timeout.InfiniteTimeSpan || value >= Forever ? null : value;

    /// <inheritdoc cref="Limit(TimeSpan)"/>
    public static TimeSpan? Limit(TimeSpan? value) => value is { } v ? Limit(v) : null;

    /// <summary>A duration in <paramref name="time"/>'s timestamp units; "no limit" and beyond is far enough never to come.</summary>
    public static long Timestamps(TimeSpan span, TimeProvider time) =>
        span >= Forever ? long.MaxValue / 2 : (long)(span.TotalSeconds * time.TimestampFrequency);

    /// <summary>A duration capped to what timers can wait.</summary>
    public static TimeSpan Cap(TimeSpan value) => value >= Forever ? Forever : value;
}
