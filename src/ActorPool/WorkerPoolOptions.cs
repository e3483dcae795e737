using ActorPool.Configuration;
using Akka.Configuration;

namespace ActorPool;

/// <summary>Settings for a <see cref="WorkerPool"/>. Defaults match the embedded <c>reference.conf</c>.</summary>
public sealed class WorkerPoolOptions
{
    /// <summary>How many workers run tasks at once.</summary>
    /// <value>Defaults to 10. Must be &gt; 0.</value>
    public int Workers { get; set; } = 10;

    /// <summary>How many accepted tasks may wait for a worker; when full, <see cref="WorkerPool.SubmitAsync"/> waits for room.</summary>
    /// <value>Defaults to 1000. 0 means unbounded. Must be &gt;= 0.</value>
    public int QueueSize { get; set; } = 1000;

    /// <summary>How long a graceful stop waits for running and queued tasks before recording the rest and returning.</summary>
    /// <value>Defaults to 30 seconds. Must be &gt; 0.</value>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one task may run before its token is cancelled and it is recorded <see cref="TaskOutcome.TimedOut"/>.</summary>
    /// <value>Defaults to <see langword="null"/>: no limit. When set, must be &gt; 0.</value>
    public TimeSpan? TaskTimeout { get; set; }

    /// <summary>How many results <see cref="WorkerPool.GetResults"/> keeps; older ones are evicted first.</summary>
    /// <value>Defaults to 10,000. Must be &gt;= 0.</value>
    public int MaxRetainedResults { get; set; } = 10_000;

    /// <summary>How long a submit waits for the supervisor to accept or reject the task.</summary>
    /// <value>Defaults to 10 seconds. Must be &gt; 0. Waiting for queue room is not part of it.</value>
    public TimeSpan AskTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock for timestamps and durations; tests can pass a fake one.</summary>
    /// <value>Defaults to <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Reads options from the <c>actor-pool</c> section of a HOCON config, falling back to the embedded defaults.</summary>
    /// <param name="config">A config holding an <c>actor-pool { }</c> section, or an empty config for the defaults.</param>
    /// <returns>Validated options.</returns>
    /// <exception cref="ConfigurationException">A key holds an invalid value; the message names the key and the value.</exception>
    public static WorkerPoolOptions FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return WorkerPoolSettings.Read(config);
    }

    /// <summary>Checks every property and throws for the first invalid one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A property holds an invalid value; <see cref="ArgumentException.ParamName"/> names it.</exception>
    /// <exception cref="ArgumentNullException"><see cref="TimeProvider"/> is null.</exception>
    public void Validate()
    {
        if (Workers <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Workers), Workers, $"{nameof(Workers)} must be > 0, was: {Workers}.");
        }

        if (QueueSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(QueueSize), QueueSize, $"{nameof(QueueSize)} must be >= 0 (0 = unbounded), was: {QueueSize}.");
        }

        if (ShutdownTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ShutdownTimeout), ShutdownTimeout, $"{nameof(ShutdownTimeout)} must be > 0, was: {ShutdownTimeout}.");
        }

        if (TaskTimeout is { } taskTimeout && taskTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(TaskTimeout), taskTimeout, $"{nameof(TaskTimeout)} must be > 0 or null, was: {taskTimeout}.");
        }

        if (MaxRetainedResults < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetainedResults), MaxRetainedResults, $"{nameof(MaxRetainedResults)} must be >= 0, was: {MaxRetainedResults}.");
        }

        if (AskTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(AskTimeout), AskTimeout, $"{nameof(AskTimeout)} must be > 0, was: {AskTimeout}.");
        }

        if (TimeProvider is null)
        {
            throw new ArgumentNullException(nameof(TimeProvider), $"{nameof(TimeProvider)} must not be null.");
        }
    }

    internal WorkerPoolOptions Clone() => (WorkerPoolOptions)MemberwiseClone();
}
