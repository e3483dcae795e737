using Akka.Configuration;

namespace ActorPool.Configuration;

/// <summary>Turns the <c>actor-pool { }</c> HOCON section into validated <see cref="WorkerPoolOptions"/>.</summary>
internal static class WorkerPoolSettings
{
    /// <summary>The section every key lives under.</summary>
    public const string Section = "actor-pool";

    /// <summary>The embedded defaults, parsed once (environment overrides are read at that moment).</summary>
    public static Config Reference { get; } = ConfigurationFactory.FromResource<WorkerPoolOptions>("ActorPool.Configuration.reference.conf");

    public static WorkerPoolOptions Read(Config config)
    {
        var section = config.WithFallback(Reference).GetConfig(Section);
        var options = new WorkerPoolOptions
        {
            Workers = ReadInt(section, "workers", min: 1),
            QueueSize = ReadInt(section, "queue-size", min: 0),
            ShutdownTimeout = ReadShutdownTimeout(section),
            TaskTimeout = ReadOptionalDuration(section, "task-timeout"),
            MaxRetainedResults = ReadInt(section, "max-retained-results", min: 0),
            AskTimeout = ReadDuration(section, "ask-timeout"),
        };
        return options;
    }

    private static TimeSpan ReadShutdownTimeout(Config section)
    {
        if (section.HasPath("shutdown-timeout-seconds"))
        {
            var seconds = ReadInt(section, "shutdown-timeout-seconds", min: 1);
            return TimeSpan.FromSeconds(seconds);
        }

        return ReadDuration(section, "shutdown-timeout");
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

    private static TimeSpan ReadDuration(Config section, string key)
    {
        var value = ReadOptionalDuration(section, key)
            ?? throw new ConfigurationException($"{Section}.{key} must be a finite duration such as 30s, was: {Raw(section, key)}.");
        return value;
    }

    private static TimeSpan? ReadOptionalDuration(Config section, string key)
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

        if (value <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"{Section}.{key} must be > 0, was: {raw}.");
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
