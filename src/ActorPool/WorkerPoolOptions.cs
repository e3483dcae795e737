using ActorPool.Configuration;
using Akka.Configuration;

namespace ActorPool;

/// <summary>Settings for a <see cref="WorkerPool"/>. Defaults match the embedded <c>reference.conf</c>.</summary>
public sealed class WorkerPoolOptions
{
    /// <summary>How many workers run tasks at once.</summary>
    /// <value>Defaults to 10. Must be between 1 and 10,000.</value>
    public int Workers { get; set; } = 10;

    /// <summary>How many accepted tasks may wait for a worker; when full, <see cref="Overflow"/> decides.</summary>
    /// <value>Defaults to 1000. 0 means unbounded. Must be &gt;= 0.</value>
    public int QueueSize { get; set; } = 1000;

    /// <summary>How long a graceful stop waits for running and queued tasks before recording the rest and returning.</summary>
    /// <value>Defaults to 30 seconds. Must be &gt; 0; 24.8 days or more (such as <see cref="TimeSpan.MaxValue"/>) means no limit.</value>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one task may run before its token is cancelled and it is recorded <see cref="TaskOutcome.TimedOut"/>.</summary>
    /// <value>Defaults to <see langword="null"/>: no limit. When set, must be &gt; 0; <see cref="Timeout.InfiniteTimeSpan"/> or 24.8 days and more mean no limit.</value>
    public TimeSpan? TaskTimeout { get; set; }

    /// <summary>How many results <see cref="WorkerPool.GetResults"/> keeps; older ones are evicted first.</summary>
    /// <value>Defaults to 10,000. Must be between 0 and 10,000,000.</value>
    public int MaxRetainedResults { get; set; } = 10_000;

    /// <summary>
    /// How long the pool waits for its supervisor actor to answer a request: a state query, and
    /// the final acknowledgement of a stop in a shared actor system (every outcome is recorded
    /// before that wait begins, so a slow answer loses nothing). Submits of local tasks never wait
    /// for the supervisor: the admission gate accepts them.
    /// </summary>
    /// <value>Defaults to 10 seconds. Must be &gt; 0; 24.8 days or more is capped there.</value>
    public TimeSpan AskTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether waiting tasks start in order of <see cref="TaskOptions.Priority"/> (higher first) rather than submission order.</summary>
    /// <value>Defaults to <see langword="false"/>. Equal priorities keep submission order either way.</value>
    public bool EnablePriority { get; set; }

    /// <summary>What a submit does when the queue holds <see cref="QueueSize"/> waiting tasks.</summary>
    /// <value>Defaults to <see cref="OverflowPolicy.Block"/>. Ignored when <see cref="QueueSize"/> is 0.</value>
    public OverflowPolicy Overflow { get; set; } = OverflowPolicy.Block;

    /// <summary>How long a task may wait in the queue before it is recorded <see cref="TaskOutcome.TimedOut"/> without running.</summary>
    /// <value>Defaults to <see langword="null"/>: no limit. When set, must be &gt; 0; <see cref="Timeout.InfiniteTimeSpan"/> or 24.8 days and more mean no limit. <see cref="TaskOptions.QueueTimeout"/> overrides it.</value>
    public TimeSpan? QueueTimeout { get; set; }

    /// <summary>How many times a failing task is tried in all, the first run included.</summary>
    /// <value>Defaults to 1 (no retry). Must be between 1 and 1,000. <see cref="TaskOptions.MaxAttempts"/> overrides it.</value>
    public int MaxAttempts { get; set; } = 1;

    /// <summary>The delay before the first retry; each further retry doubles it, with jitter, up to <see cref="MaxRetryBackoff"/>.</summary>
    /// <value>Defaults to 100 ms. Must be &gt;= 0.</value>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between two tries of a task.</summary>
    /// <value>Defaults to 10 seconds. Must be &gt;= <see cref="RetryBackoff"/>.</value>
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Decides whether a task that threw this exception is tried again (while it has attempts left).</summary>
    /// <value>Defaults to every exception except <see cref="OperationCanceledException"/>. <see cref="CircuitOpenException"/> and timeouts are never retried.</value>
    public Func<Exception, bool> ShouldRetry { get; set; } = static ex => ex is not OperationCanceledException;

    /// <summary>The most tasks the pool starts per second, across all workers; counted when tasks start, not when they are submitted.</summary>
    /// <value>Defaults to <see langword="null"/>: no limit. When set, must be between 0.001 and 1,000,000.</value>
    public double? TasksPerSecond { get; set; }

    /// <summary>How many tasks may start at once above the steady <see cref="TasksPerSecond"/> rate after a quiet spell (the bucket also holds one refill, 1/20 s of the rate, so a late refill is not lost).</summary>
    /// <value>Defaults to 1. Must be between 1 and 1,000,000.</value>
    public int RateBurst { get; set; } = 1;

    /// <summary>The pool-wide circuit breaker.</summary>
    /// <value>Defaults to <see langword="null"/>: no breaker.</value>
    public CircuitBreakerOptions? CircuitBreaker { get; set; }

    /// <summary>The automatic resizer that adds workers when tasks queue up and retires idle ones.</summary>
    /// <value>Defaults to <see langword="null"/>: the worker count changes only through <see cref="WorkerPool.Resize"/>.</value>
    public ResizerOptions? Resizer { get; set; }

    /// <summary>How long after a task with a <see cref="TaskOptions.Key"/> ends a repeat of its key still answers with its id; a task's own <see cref="TaskOptions.DeduplicationWindow"/> wins.</summary>
    /// <value>Defaults to <see cref="TimeSpan.Zero"/>: a key is free again once its task has an outcome. Must be &gt;= 0.</value>
    public TimeSpan DeduplicationWindow { get; set; }

    /// <summary>
    /// The most tasks of one <see cref="TaskOptions.ConcurrencyKey"/> that run at once, by key
    /// (<c>options.ConcurrencyLimits["tenant-42"] = 2</c>); keys not listed get <see cref="DefaultConcurrencyLimit"/>.
    /// </summary>
    /// <value>Defaults to empty. Every limit must be between 1 and 1,000,000.</value>
    public IDictionary<string, int> ConcurrencyLimits { get; private set; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Recurring tasks declared by configuration, by schedule id; the pool adds them when it is created (see <see cref="WorkerPool.Schedules"/>).</summary>
    /// <value>Defaults to empty. Each needs a valid cron expression and time zone, and a handler registered in <see cref="Handlers"/>.</value>
    public IDictionary<string, ScheduleDeclaration> Schedules { get; private set; } = new Dictionary<string, ScheduleDeclaration>(StringComparer.Ordinal);

    /// <summary>The limit of a <see cref="TaskOptions.ConcurrencyKey"/> not listed in <see cref="ConcurrencyLimits"/>.</summary>
    /// <value>Defaults to <see langword="null"/>: such keys are not limited. Must be between 1 and 1,000,000.</value>
    public int? DefaultConcurrencyLimit { get; set; }

    /// <summary>Called once with every recorded result of the pool, before the task's own <see cref="TaskOptions.OnCompleted"/>, off the dispatch path: for logs and audits.</summary>
    /// <value>Defaults to <see langword="null"/>. An exception it throws is logged and otherwise ignored.</value>
    public Action<TaskResult>? OnTaskCompleted { get; set; }

    /// <summary>
    /// The Akka dispatcher the workers run on. Task delegates run on their worker's thread until
    /// their first await, so delegates that block (synchronous I/O, <c>Thread.Sleep</c>, long CPU
    /// loops) take threads from the shared .NET thread pool and slow every pool in the process;
    /// give such pools <c>"actor-pool.blocking-dispatcher"</c> (dedicated threads, see reference.conf)
    /// or a dispatcher of your own.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: Akka's default dispatcher (the .NET thread pool).</value>
    public string? Dispatcher { get; set; }

    /// <summary>Cluster mode: the pool's workers spread over the Akka.Cluster of its actor system.</summary>
    /// <value>Defaults to off. Only <see cref="WorkerPool.Create(Akka.Actor.ActorSystem, WorkerPoolOptions, string)"/> on a clustered actor system can run clustered.</value>
    public ClusterOptions Cluster { get; private set; } = new();

    /// <summary>Durable mode: accepted tasks are journaled and survive a crash of the process.</summary>
    /// <value>Defaults to off.</value>
    public PersistenceOptions Persistence { get; private set; } = new();

    /// <summary>The named tasks this pool can run (<c>SubmitAsync("resize", payload)</c>); register the same names on every node of a cluster.</summary>
    /// <value>Defaults to an empty registry.</value>
    public TaskHandlerRegistry Handlers { get; private set; } = new();

    /// <summary>Where handler types registered with <see cref="TaskHandlerRegistry.Add{THandler, TPayload, TResult}"/> come from; a hosted pool gets the host's.</summary>
    /// <value>Defaults to <see langword="null"/>: handler types are made with their parameterless constructor.</value>
    public IServiceProvider? Services { get; set; }

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
        CheckRange(Workers, 1, OptionLimits.MaxWorkers, nameof(Workers));
        if (QueueSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(QueueSize), QueueSize, $"{nameof(QueueSize)} must be >= 0 (0 = unbounded), was: {QueueSize}.");
        }

        CheckPositive(ShutdownTimeout, nameof(ShutdownTimeout));
        if (TaskTimeout is { } taskTimeout && taskTimeout != Timeout.InfiniteTimeSpan)
        {
            CheckPositive(taskTimeout, nameof(TaskTimeout));
        }

        CheckRange(MaxRetainedResults, 0, OptionLimits.MaxRetainedResults, nameof(MaxRetainedResults));
        CheckPositive(AskTimeout, nameof(AskTimeout));
        if (!Enum.IsDefined(Overflow))
        {
            throw new ArgumentOutOfRangeException(nameof(Overflow), Overflow, $"{nameof(Overflow)} must be Block, Reject or DropOldest, was: {Overflow}.");
        }

        if (QueueTimeout is { } queueTimeout && queueTimeout != Timeout.InfiniteTimeSpan)
        {
            CheckPositive(queueTimeout, nameof(QueueTimeout));
        }

        CheckRange(MaxAttempts, 1, OptionLimits.MaxAttempts, nameof(MaxAttempts));
        if (RetryBackoff < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryBackoff), RetryBackoff, $"{nameof(RetryBackoff)} must be >= 0, was: {RetryBackoff}.");
        }

        if (MaxRetryBackoff < RetryBackoff)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryBackoff), MaxRetryBackoff, $"{nameof(MaxRetryBackoff)} must be >= {nameof(RetryBackoff)} ({RetryBackoff}), was: {MaxRetryBackoff}.");
        }

        if (ShouldRetry is null)
        {
            throw new ArgumentNullException(nameof(ShouldRetry), $"{nameof(ShouldRetry)} must not be null.");
        }

        if (TasksPerSecond is { } rate && !(rate >= OptionLimits.MinTasksPerSecond && rate <= OptionLimits.MaxTasksPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(TasksPerSecond), rate, $"{nameof(TasksPerSecond)} must be between {OptionLimits.MinTasksPerSecond} and {OptionLimits.MaxTasksPerSecond:N0} or null, was: {rate}.");
        }

        CheckRange(RateBurst, 1, OptionLimits.MaxRateBurst, nameof(RateBurst));
        CheckKeys();
        CheckSchedules();
        CircuitBreaker?.Validate();
        Cluster.Validate();
        Persistence.Validate();
        CheckMode();
        if (Resizer is { } resizer)
        {
            resizer.Validate();
            if (Workers < resizer.LowerBound || Workers > resizer.UpperBound)
            {
                throw new ArgumentOutOfRangeException(nameof(Workers), Workers, $"{nameof(Workers)} must lie within the resizer's bounds [{resizer.LowerBound}, {resizer.UpperBound}], was: {Workers}.");
            }
        }

        if (Dispatcher is not null && string.IsNullOrWhiteSpace(Dispatcher))
        {
            throw new ArgumentException($"{nameof(Dispatcher)} must name a dispatcher or be null, was: '{Dispatcher}'.", nameof(Dispatcher));
        }

        if (TimeProvider is null)
        {
            throw new ArgumentNullException(nameof(TimeProvider), $"{nameof(TimeProvider)} must not be null.");
        }
    }

    /// <summary>Each declared schedule parses here; its handler is checked when the pool is created, after handlers are registered.</summary>
    private void CheckSchedules()
    {
        foreach (var (id, declared) in Schedules)
        {
            var name = $"{nameof(Schedules)}[{id}]";
            if (declared is null)
            {
                throw new ArgumentNullException(name, $"{name} must not be null.");
            }

            try
            {
                ActorPool.Schedules.ScheduleDefinition.OfClosure(id, declared.Cron, static _ => Task.CompletedTask, declared.ToOptions());
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"{name}: {ex.Message.Split(" (Parameter")[0]}", name, ex);
            }

            if (string.IsNullOrWhiteSpace(declared.Handler))
            {
                throw new ArgumentException($"{name} must name a handler.", name);
            }
        }
    }

    private void CheckKeys()
    {
        if (DeduplicationWindow < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DeduplicationWindow), DeduplicationWindow, $"{nameof(DeduplicationWindow)} must be >= 0, was: {DeduplicationWindow}.");
        }

        foreach (var (key, limit) in ConcurrencyLimits)
        {
            TaskOptions.CheckKey(key, $"{nameof(ConcurrencyLimits)} key");
            CheckRange(limit, 1, OptionLimits.MaxConcurrencyLimit, $"{nameof(ConcurrencyLimits)}[{key}]");
        }

        if (DefaultConcurrencyLimit is { } fallback)
        {
            CheckRange(fallback, 1, OptionLimits.MaxConcurrencyLimit, nameof(DefaultConcurrencyLimit));
        }
    }

    /// <summary>Refuses the options a clustered or durable pool would otherwise ignore, naming option and mode.</summary>
    private void CheckMode()
    {
        var mode = Cluster.Enabled ? "Cluster.Enabled" : Persistence.Enabled ? "Persistence.Enabled" : null;
        if (mode is null)
        {
            return;
        }

        if (Overflow == OverflowPolicy.DropOldest && QueueSize > 0)
        {
            // A named task's submit returns once it is accepted (journaled); it is not dropped later for a newer one.
            throw new ArgumentException($"{nameof(Overflow)} = DropOldest is not supported with {mode}: an accepted named task is never dropped for a newer one; use Block or Reject.", nameof(Overflow));
        }

        if (!Cluster.Enabled)
        {
            return;
        }

        if (TasksPerSecond is not null)
        {
            throw new ArgumentException($"{nameof(TasksPerSecond)} is not supported with Cluster.Enabled (was: {TasksPerSecond}): the cluster's workers are not rate limited; limit the submitter or leave it null.", nameof(TasksPerSecond));
        }

        if (CircuitBreaker is not null)
        {
            throw new ArgumentException($"{nameof(CircuitBreaker)} is not supported with Cluster.Enabled: the cluster's supervisor has no breaker; leave it null.", nameof(CircuitBreaker));
        }

        if (Resizer is not null)
        {
            throw new ArgumentException($"{nameof(Resizer)} is not supported with Cluster.Enabled: a clustered pool's workers follow its nodes (Cluster.MaxWorkersPerNode each); leave it null.", nameof(Resizer));
        }
    }

    /// <summary>Throws unless <paramref name="value"/> lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    internal static void CheckRange(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min:N0} and {max:N0}, was: {value}.");
        }
    }

    private static void CheckPositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be > 0, was: {value}.");
        }
    }

    internal WorkerPoolOptions Clone()
    {
        var copy = (WorkerPoolOptions)MemberwiseClone();
        copy.Handlers = Handlers.Clone();
        copy.Cluster = Cluster.Clone();
        copy.Persistence = Persistence.Clone();
        copy.ConcurrencyLimits = new Dictionary<string, int>(ConcurrencyLimits, StringComparer.Ordinal);
        copy.Schedules = Schedules.ToDictionary(pair => pair.Key, pair => pair.Value.Clone(), StringComparer.Ordinal);
        copy.CircuitBreaker = CircuitBreaker is null ? null : new CircuitBreakerOptions { MaxFailures = CircuitBreaker.MaxFailures, ResetTimeout = CircuitBreaker.ResetTimeout };
        copy.Resizer = Resizer is null ? null : new ResizerOptions { LowerBound = Resizer.LowerBound, UpperBound = Resizer.UpperBound, Interval = Resizer.Interval };
        return copy;
    }
}
