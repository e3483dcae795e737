using Akka.Configuration;

namespace ActorPool.Configuration;

/// <summary>Turns the <c>actor-pool { }</c> HOCON section into validated <see cref="WorkerPoolOptions"/>.</summary>
internal static class WorkerPoolSettings
{
    /// <summary>The section every key lives under.</summary>
    public const string Section = "actor-pool";

    private const string ReferenceResource = "ActorPool.Configuration.reference.conf";

    /// <summary>Parses the embedded defaults; cheap, and done per use so no shared Config instance is ever linked into a caller's fallback chain.</summary>
    public static Config ParseReference() => ConfigurationFactory.FromResource<WorkerPoolOptions>(ReferenceResource);

    /// <summary>Overrides <c>workers</c>.</summary>
    public const string WorkersVariable = "WORKER_POOL_MAX_WORKERS";

    /// <summary>Overrides <c>queue-size</c>.</summary>
    public const string QueueSizeVariable = "WORKER_POOL_QUEUE_SIZE";

    /// <summary>Overrides <c>shutdown-timeout</c>, in whole seconds.</summary>
    public const string ShutdownTimeoutVariable = "WORKER_POOL_SHUTDOWN_TIMEOUT_SECONDS";

    /// <summary>Reads the section, then lets the environment variables win.</summary>
    /// <param name="config">The user's config; the embedded defaults fill what it leaves out.</param>
    /// <param name="environment">Looks up an environment variable; tests pass their own.</param>
    public static WorkerPoolOptions Read(Config config, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var section = config.WithFallback(ParseReference()).GetConfig(Section);
        var options = new WorkerPoolOptions
        {
            Workers = ReadInt(section, "workers", min: 1),
            QueueSize = ReadInt(section, "queue-size", min: 0),
            ShutdownTimeout = ReadDuration(section, "shutdown-timeout"),
            TaskTimeout = ReadOptionalDuration(section, "task-timeout"),
            MaxRetainedResults = ReadInt(section, "max-retained-results", min: 0),
            AskTimeout = ReadDuration(section, "ask-timeout"),
            Overflow = ReadOverflow(section, "overflow"),
            EnablePriority = ReadBool(section, "enable-priority"),
            QueueTimeout = ReadOptionalDuration(section, "queue-timeout"),
            MaxAttempts = ReadInt(section, "max-attempts", min: 1),
            RetryBackoff = ReadDuration(section, "retry-backoff", allowZero: true),
            MaxRetryBackoff = ReadDuration(section, "max-retry-backoff", allowZero: true),
            TasksPerSecond = ReadRate(section, "tasks-per-second"),
            RateBurst = ReadInt(section, "rate-burst", min: 1),
            Dispatcher = ReadOptionalString(section, "dispatcher"),
            DeduplicationWindow = ReadDuration(section, "deduplication-window", allowZero: true),
        };

        var defaultLimit = ReadInt(section, "default-concurrency-limit", min: 0);
        options.DefaultConcurrencyLimit = defaultLimit == 0 ? null : defaultLimit;
        ReadLimits(section, "concurrency-limits", options.ConcurrencyLimits);
        ReadSchedules(section, "schedules", options.Schedules);

        var breakerFailures = ReadInt(section, "circuit-breaker.max-failures", min: 0);
        var breakerReset = ReadDuration(section, "circuit-breaker.reset-timeout");
        if (breakerFailures > 0)
        {
            options.CircuitBreaker = new CircuitBreakerOptions { MaxFailures = breakerFailures, ResetTimeout = breakerReset };
        }

        if (ReadBool(section, "resizer.enabled"))
        {
            options.Resizer = new ResizerOptions
            {
                LowerBound = ReadInt(section, "resizer.lower-bound", min: 1),
                UpperBound = ReadInt(section, "resizer.upper-bound", min: 1),
                Interval = ReadDuration(section, "resizer.interval"),
            };
        }

        options.Cluster.Enabled = ReadBool(section, "cluster.enabled");
        options.Cluster.Role = ReadOptionalString(section, "cluster.role");
        options.Cluster.MaxWorkersPerNode = ReadInt(section, "cluster.max-workers-per-node", min: 0);

        options.Persistence.Enabled = ReadBool(section, "persistence.enabled");
        options.Persistence.ConnectionString = ReadOptionalString(section, "persistence.connection-string") ?? string.Empty;
        options.Persistence.Provider = ReadOptionalString(section, "persistence.provider") ?? string.Empty;
        options.Persistence.SnapshotEvery = ReadInt(section, "persistence.snapshot-every", min: 10);

        if (ReadVariable(environment, WorkersVariable, min: 1, max: OptionLimits.MaxWorkers) is { } workers)
        {
            options.Workers = workers;
        }

        if (ReadVariable(environment, QueueSizeVariable, min: 0, max: int.MaxValue) is { } queueSize)
        {
            options.QueueSize = queueSize;
        }

        if (ReadVariable(environment, ShutdownTimeoutVariable, min: 1, max: int.MaxValue) is { } seconds)
        {
            options.ShutdownTimeout = TimeSpan.FromSeconds(seconds);
        }

        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            // Rules between keys (bounds, backoffs) surface here; name the key, not the property.
            throw new ConfigurationException($"{Section}.{KeyOf(ex.ParamName)} is invalid: {ex.Message.Split(" (Parameter")[0]}", ex);
        }

        return options;
    }

    private static string KeyOf(string? property) => property switch
    {
        nameof(WorkerPoolOptions.Workers) => "workers",
        nameof(WorkerPoolOptions.QueueSize) => "queue-size",
        nameof(WorkerPoolOptions.ShutdownTimeout) => "shutdown-timeout",
        nameof(WorkerPoolOptions.TaskTimeout) => "task-timeout",
        nameof(WorkerPoolOptions.MaxRetainedResults) => "max-retained-results",
        nameof(WorkerPoolOptions.AskTimeout) => "ask-timeout",
        nameof(WorkerPoolOptions.QueueTimeout) => "queue-timeout",
        nameof(WorkerPoolOptions.MaxAttempts) => "max-attempts",
        nameof(WorkerPoolOptions.RetryBackoff) => "retry-backoff",
        nameof(WorkerPoolOptions.MaxRetryBackoff) => "max-retry-backoff",
        nameof(WorkerPoolOptions.TasksPerSecond) => "tasks-per-second",
        nameof(WorkerPoolOptions.RateBurst) => "rate-burst",
        nameof(WorkerPoolOptions.Dispatcher) => "dispatcher",
        nameof(WorkerPoolOptions.Overflow) => "overflow",
        nameof(WorkerPoolOptions.CircuitBreaker) => "circuit-breaker.max-failures",
        nameof(WorkerPoolOptions.Resizer) => "resizer.enabled",
        nameof(CircuitBreakerOptions.MaxFailures) => "circuit-breaker.max-failures",
        nameof(CircuitBreakerOptions.ResetTimeout) => "circuit-breaker.reset-timeout",
        nameof(ResizerOptions.UpperBound) => "resizer.upper-bound",
        nameof(ResizerOptions.LowerBound) => "resizer.lower-bound",
        nameof(ResizerOptions.Interval) => "resizer.interval",
        nameof(WorkerPoolOptions.DeduplicationWindow) => "deduplication-window",
        nameof(WorkerPoolOptions.DefaultConcurrencyLimit) => "default-concurrency-limit",
        { } limit when limit.StartsWith(nameof(WorkerPoolOptions.ConcurrencyLimits), StringComparison.Ordinal) => "concurrency-limits",
        "Cluster.MaxWorkersPerNode" => "cluster.max-workers-per-node",
        nameof(PersistenceOptions.ConnectionString) => "persistence.connection-string",
        nameof(PersistenceOptions.Provider) => "persistence.provider",
        "Persistence.SnapshotEvery" => "persistence.snapshot-every",
        _ => property ?? "(unknown)",
    };

    /// <summary>Reads <c>key { "tenant-42" = 2 }</c>: one limit per concurrency key.</summary>
    private static void ReadLimits(Config section, string key, IDictionary<string, int> limits)
    {
        if (!section.HasPath(key))
        {
            return;
        }

        foreach (var (name, value) in section.GetConfig(key).AsEnumerable())
        {
            var raw = value.GetString();
            if (!int.TryParse(raw, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var limit) || limit < 1)
            {
                throw new ConfigurationException($"{Section}.{key}.\"{name}\" must be a whole number >= 1, was: '{raw}'.");
            }

            limits[name] = limit;
        }
    }

    /// <summary>Reads <c>schedules { nightly-report { cron = "0 2 * * *", handler = report, payload = "{...}" } }</c>.</summary>
    private static void ReadSchedules(Config section, string key, IDictionary<string, ScheduleDeclaration> schedules)
    {
        if (!section.HasPath(key))
        {
            return;
        }

        foreach (var id in section.GetConfig(key).Root.GetObject().Items.Keys)
        {
            var path = $"{key}.\"{id}\"";
            var entry = section.GetConfig(path);
            var declared = new ScheduleDeclaration
            {
                Cron = ReadOptionalString(entry, "cron") ?? throw new ConfigurationException($"{Section}.{key}.{id}.cron is missing: give a cron expression such as \"0 2 * * *\"."),
                Handler = ReadOptionalString(entry, "handler") ?? throw new ConfigurationException($"{Section}.{key}.{id}.handler is missing: name the registered handler each run calls."),
                Payload = ReadOptionalString(entry, "payload"),
                TimeZone = ReadOptionalString(entry, "time-zone"),
                Overlap = ReadOptionalString(entry, "overlap") switch
                {
                    null or "skip" => OverlapPolicy.Skip,
                    "queue" => OverlapPolicy.Queue,
                    "allow" => OverlapPolicy.Allow,
                    var raw => throw new ConfigurationException($"{Section}.{key}.{id}.overlap must be skip, queue or allow, was: '{raw}'."),
                },
                Misfire = ReadOptionalString(entry, "misfire") switch
                {
                    null or "run-once" => MisfirePolicy.RunOnce,
                    "skip" => MisfirePolicy.Skip,
                    var raw => throw new ConfigurationException($"{Section}.{key}.{id}.misfire must be run-once or skip, was: '{raw}'."),
                },
                MisfireThreshold = entry.HasPath("misfire-threshold") ? ReadDuration(section, $"{path}.misfire-threshold", allowZero: true) : TimeSpan.FromMinutes(1),
            };
            try
            {
                Schedules.ScheduleDefinition.OfClosure(id, declared.Cron, static _ => Task.CompletedTask, declared.ToOptions());
            }
            catch (ArgumentException ex)
            {
                var field = ex.ParamName == "cron" ? ".cron" : string.Empty;
                throw new ConfigurationException($"{Section}.{key}.{id}{field} is invalid: {ex.Message.Split(" (Parameter")[0]}", ex);
            }

            schedules[id] = declared;
        }
    }

    private static string? ReadOptionalString(Config section, string key)
    {
        var value = section.GetString(key, string.Empty);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    private static bool ReadBool(Config section, string key)
    {
        try
        {
            return section.GetBoolean(key);
        }
        catch (Exception ex) when (ex is not ConfigurationException)
        {
            throw Invalid(key, Raw(section, key), "on or off", ex);
        }
    }

    private static OverflowPolicy ReadOverflow(Config section, string key)
    {
        var raw = Raw(section, key);
        return raw.Trim().ToLowerInvariant() switch
        {
            "block" => OverflowPolicy.Block,
            "reject" => OverflowPolicy.Reject,
            "drop-oldest" => OverflowPolicy.DropOldest,
            _ => throw new ConfigurationException($"{Section}.{key} must be block, reject or drop-oldest, was: '{raw}'."),
        };
    }

    private static double? ReadRate(Config section, string key)
    {
        var raw = Raw(section, key);
        double value;
        try
        {
            value = section.GetDouble(key);
        }
        catch (Exception ex) when (ex is not ConfigurationException)
        {
            throw Invalid(key, raw, "a number of tasks per second (0 = no limit)", ex);
        }

        if (value < 0 || !double.IsFinite(value))
        {
            throw new ConfigurationException($"{Section}.{key} must be >= 0 (0 = no limit), was: {raw}.");
        }

        return value == 0 ? null : value;
    }

    private static int? ReadVariable(Func<string, string?> environment, string name, int min, int max)
    {
        var raw = environment(name);
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        if (!int.TryParse(raw, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ConfigurationException(max == int.MaxValue
                ? $"Environment variable {name} must be a whole number >= {min}, was: '{raw}'."
                : $"Environment variable {name} must be a whole number between {min} and {max}, was: '{raw}'.");
        }

        return value;
    }

    private static int ReadInt(Config section, string key, int min)
    {
        var raw = Raw(section, key);
        int value;
        try
        {
            value = section.GetInt(key);
        }
        catch (Exception ex) when (ex is not ConfigurationException)
        {
            throw Invalid(key, raw, "a whole number", ex);
        }

        if (value < min)
        {
            throw new ConfigurationException($"{Section}.{key} must be >= {min}, was: {value}.");
        }

        return value;
    }

    private static TimeSpan ReadDuration(Config section, string key, bool allowZero = false)
    {
        var value = ReadOptionalDuration(section, key, allowZero)
            ?? throw new ConfigurationException($"{Section}.{key} must be a finite duration such as 30s, was: {Raw(section, key)}.");
        return value;
    }

    private static TimeSpan? ReadOptionalDuration(Config section, string key, bool allowZero = false)
    {
        var raw = Raw(section, key);
        TimeSpan value;
        try
        {
            value = section.GetTimeSpan(key, null, allowInfinite: true);
        }
        catch (Exception ex) when (ex is not ConfigurationException)
        {
            throw Invalid(key, raw, "a duration such as 30s or 500ms", ex);
        }

        if (value == Timeout.InfiniteTimeSpan)
        {
            return null;
        }

        if (value < TimeSpan.Zero || (value == TimeSpan.Zero && !allowZero))
        {
            throw new ConfigurationException($"{Section}.{key} must be {(allowZero ? ">= 0" : "> 0")}, was: {raw}.");
        }

        return value;
    }

    private static string Raw(Config section, string key)
    {
        try
        {
            return section.GetString(key) ?? "(missing)";
        }
        catch (Exception)
        {
            return "(not a single value)";
        }
    }

    private static ConfigurationException Invalid(string key, string raw, string expected, Exception inner) =>
        new($"{Section}.{key} must be {expected}, was: '{raw}'.", inner);
}
