using ActorPool.Configuration;
using Akka.Configuration;

namespace ActorPool.Tests.Configuration;

public sealed class WorkerPoolSettingsTests
{
    [Fact]
    public void Embedded_defaults_must_match_the_notification_seed_and_the_options_defaults()
    {
        var options = WorkerPoolOptions.FromConfig(Config.Empty);
        var code = new WorkerPoolOptions();

        Assert.Equal(10, options.Workers);
        Assert.Equal(1000, options.QueueSize);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ShutdownTimeout);
        Assert.Null(options.TaskTimeout);
        Assert.Equal(10_000, options.MaxRetainedResults);
        Assert.Equal(TimeSpan.FromSeconds(10), options.AskTimeout);
        Assert.Equal(
            (code.Workers, code.QueueSize, code.ShutdownTimeout, code.TaskTimeout, code.MaxRetainedResults, code.AskTimeout),
            (options.Workers, options.QueueSize, options.ShutdownTimeout, options.TaskTimeout, options.MaxRetainedResults, options.AskTimeout));
    }

    [Fact]
    public void Keys_set_in_hocon_must_override_the_defaults()
    {
        var config = ConfigurationFactory.ParseString("""
            actor-pool {
              workers = 3
              queue-size = 0
              shutdown-timeout = 750ms
              task-timeout = 2s
              max-retained-results = 5
              ask-timeout = 1s
            }
            """);

        var options = WorkerPoolOptions.FromConfig(config);

        Assert.Equal(3, options.Workers);
        Assert.Equal(0, options.QueueSize);
        Assert.Equal(TimeSpan.FromMilliseconds(750), options.ShutdownTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), options.TaskTimeout);
        Assert.Equal(5, options.MaxRetainedResults);
        Assert.Equal(TimeSpan.FromSeconds(1), options.AskTimeout);
    }

    [Fact]
    public void Lifecycle_keys_set_in_hocon_must_reach_the_options()
    {
        var config = ConfigurationFactory.ParseString("""
            actor-pool {
              workers = 3
              overflow = drop-oldest
              enable-priority = on
              queue-timeout = 5s
              max-attempts = 4
              retry-backoff = 50ms
              max-retry-backoff = 2s
              tasks-per-second = 12.5
              rate-burst = 3
              circuit-breaker { max-failures = 7, reset-timeout = 10s }
              resizer { enabled = on, lower-bound = 2, upper-bound = 6, interval = 250ms }
            }
            """);

        var options = WorkerPoolOptions.FromConfig(config);

        Assert.Equal(OverflowPolicy.DropOldest, options.Overflow);
        Assert.True(options.EnablePriority);
        Assert.Equal(TimeSpan.FromSeconds(5), options.QueueTimeout);
        Assert.Equal((4, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2)), (options.MaxAttempts, options.RetryBackoff, options.MaxRetryBackoff));
        Assert.Equal((12.5, 3), (options.TasksPerSecond, options.RateBurst));
        Assert.Equal((7, TimeSpan.FromSeconds(10)), (options.CircuitBreaker!.MaxFailures, options.CircuitBreaker.ResetTimeout));
        Assert.Equal((2, 6, TimeSpan.FromMilliseconds(250)), (options.Resizer!.LowerBound, options.Resizer.UpperBound, options.Resizer.Interval));
    }

    [Fact]
    public void Persistence_keys_set_in_hocon_must_reach_the_options()
    {
        var config = ConfigurationFactory.ParseString("""
            actor-pool.persistence {
              enabled = on
              connection-string = "Data Source=/var/lib/jobs/journal.db"
              provider = "PostgreSQL.15"
              snapshot-every = 250
            }
            """);

        var persistence = WorkerPoolOptions.FromConfig(config).Persistence;

        Assert.True(persistence.Enabled);
        Assert.Equal("Data Source=/var/lib/jobs/journal.db", persistence.ConnectionString);
        Assert.Equal(("PostgreSQL.15", 250), (persistence.Provider, persistence.SnapshotEvery));
    }

    [Fact]
    public void The_defaults_must_leave_every_lifecycle_feature_off()
    {
        var options = WorkerPoolOptions.FromConfig(ConfigurationFactory.Empty);

        Assert.Equal(OverflowPolicy.Block, options.Overflow);
        Assert.False(options.EnablePriority);
        Assert.Null(options.QueueTimeout);
        Assert.Equal(1, options.MaxAttempts);
        Assert.Null(options.TasksPerSecond);
        Assert.Null(options.CircuitBreaker);
        Assert.Null(options.Resizer);
        Assert.False(options.Cluster.Enabled);
        Assert.False(options.Persistence.Enabled);
    }

    [Theory]
    [InlineData("workers = 0", "actor-pool.workers", "0")]
    [InlineData("workers = -4", "actor-pool.workers", "-4")]
    [InlineData("workers = many", "actor-pool.workers", "many")]
    [InlineData("queue-size = -1", "actor-pool.queue-size", "-1")]
    [InlineData("shutdown-timeout = 0s", "actor-pool.shutdown-timeout", "0s")]
    [InlineData("shutdown-timeout = soon", "actor-pool.shutdown-timeout", "soon")]
    [InlineData("task-timeout = -5s", "actor-pool.task-timeout", "-5s")]
    [InlineData("max-retained-results = -10", "actor-pool.max-retained-results", "-10")]
    [InlineData("ask-timeout = infinite", "actor-pool.ask-timeout", "infinite")]
    [InlineData("overflow = sometimes", "actor-pool.overflow", "sometimes")]
    [InlineData("enable-priority = perhaps", "actor-pool.enable-priority", "perhaps")]
    [InlineData("queue-timeout = 0s", "actor-pool.queue-timeout", "0s")]
    [InlineData("max-attempts = 0", "actor-pool.max-attempts", "0")]
    [InlineData("retry-backoff = -1s", "actor-pool.retry-backoff", "-1s")]
    [InlineData("retry-backoff = 20s", "actor-pool.max-retry-backoff", "20")]
    [InlineData("tasks-per-second = -2", "actor-pool.tasks-per-second", "-2")]
    [InlineData("tasks-per-second = lots", "actor-pool.tasks-per-second", "lots")]
    [InlineData("rate-burst = 0", "actor-pool.rate-burst", "0")]
    [InlineData("circuit-breaker.max-failures = -1", "actor-pool.circuit-breaker.max-failures", "-1")]
    [InlineData("circuit-breaker.reset-timeout = 0s", "actor-pool.circuit-breaker.reset-timeout", "0s")]
    [InlineData("resizer { enabled = on, lower-bound = 5, upper-bound = 2 }", "actor-pool.resizer.upper-bound", "2")]
    [InlineData("resizer { enabled = on, lower-bound = 1, upper-bound = 4 }", "actor-pool.workers", "10")]
    [InlineData("resizer { enabled = on, interval = 0s }", "actor-pool.resizer.interval", "0s")]
    [InlineData("persistence.enabled = sometimes", "actor-pool.persistence.enabled", "sometimes")]
    [InlineData("persistence { enabled = on, connection-string = \"  \" }", "actor-pool.persistence.connection-string", "''")]
    [InlineData("persistence { enabled = on, provider = \"\" }", "actor-pool.persistence.provider", "''")]
    [InlineData("persistence.snapshot-every = 5", "actor-pool.persistence.snapshot-every", "5")]
    [InlineData("persistence.snapshot-every = 2000000", "actor-pool.persistence.snapshot-every", "2000000")]
    public void A_bad_value_must_fail_naming_the_key_and_the_value(string line, string key, string value)
    {
        var config = ConfigurationFactory.ParseString($"actor-pool {{ {line} }}");

        var error = Assert.Throws<ConfigurationException>(() => WorkerPoolOptions.FromConfig(config));

        Assert.Contains(key, error.Message);
        Assert.Contains(value, error.Message);
    }

    [Fact]
    public void Every_file_in_the_hocon_folder_must_load_into_valid_options()
    {
        var folder = Path.Combine(RepositoryRoot(), "hocon");
        var files = Directory.GetFiles(folder, "*.conf");

        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var config = ConfigurationFactory.ParseString(File.ReadAllText(file));
            Assert.True(config.HasPath("actor-pool"), $"{Path.GetFileName(file)} has no actor-pool section");
            var options = WorkerPoolOptions.FromConfig(config);
            options.Validate();
        }
    }

    [Fact]
    public void The_documented_hocon_file_must_list_every_key_of_the_embedded_defaults()
    {
        var documented = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(RepositoryRoot(), "hocon", "actorpool.conf")));
        var reference = WorkerPoolSettings.ParseReference();
        var paths = LeafPaths(reference, "actor-pool").ToList();

        Assert.True(paths.Count >= 20, $"only {paths.Count} keys found");
        Assert.All(paths, path =>
        {
            Assert.True(documented.HasPath(path), $"{path} is missing from hocon/actorpool.conf");
            Assert.Equal(reference.GetString(path), documented.GetString(path));
        });
    }

    private static IEnumerable<string> LeafPaths(Config config, string path)
    {
        foreach (var pair in config.GetConfig(path).AsEnumerable())
        {
            var child = $"{path}.{pair.Key}";
            if (pair.Value.IsObject())
            {
                foreach (var leaf in LeafPaths(config, child))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return child;
            }
        }
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ActorPool.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("ActorPool.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Environment variables are process-wide, so this runs apart from the parallel tests.</summary>
[Collection(nameof(ProcessWideMeasurements))]
public sealed class WorkerPoolEnvironmentTests
{
    [Fact]
    public void Environment_variables_must_win_over_hocon_for_workers_queue_size_and_shutdown_timeout()
    {
        var environment = new Dictionary<string, string>
        {
            ["WORKER_POOL_MAX_WORKERS"] = "7",
            ["WORKER_POOL_QUEUE_SIZE"] = "42",
            ["WORKER_POOL_SHUTDOWN_TIMEOUT_SECONDS"] = "5",
        };
        var config = ConfigurationFactory.ParseString("actor-pool { workers = 3, queue-size = 9, shutdown-timeout = 1s }");

        var options = WorkerPoolSettings.Read(config, environment.GetValueOrDefault);

        Assert.Equal(7, options.Workers);
        Assert.Equal(42, options.QueueSize);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ShutdownTimeout);
    }

    [Fact]
    public void The_real_process_environment_must_reach_FromConfig()
    {
        try
        {
            Environment.SetEnvironmentVariable("WORKER_POOL_MAX_WORKERS", "13");

            Assert.Equal(13, WorkerPoolOptions.FromConfig(Config.Empty).Workers);
        }
        finally
        {
            Environment.SetEnvironmentVariable("WORKER_POOL_MAX_WORKERS", null);
        }
    }

    [Theory]
    [InlineData("WORKER_POOL_MAX_WORKERS", "0")]
    [InlineData("WORKER_POOL_MAX_WORKERS", "ten")]
    [InlineData("WORKER_POOL_QUEUE_SIZE", "-1")]
    [InlineData("WORKER_POOL_SHUTDOWN_TIMEOUT_SECONDS", "0")]
    public void A_bad_environment_value_must_fail_naming_the_variable_and_the_value(string name, string value)
    {
        var error = Assert.Throws<ConfigurationException>(
            () => WorkerPoolSettings.Read(Config.Empty, n => n == name ? value : null));

        Assert.Contains(name, error.Message);
        Assert.Contains($"'{value}'", error.Message);
    }

    [Fact]
    public void Key_settings_in_hocon_must_reach_the_options()
    {
        var config = ConfigurationFactory.ParseString("""
            actor-pool {
              deduplication-window = 10m
              default-concurrency-limit = 3
              concurrency-limits { "tenant-42" = 2, "tenant.7" = 5 }
            }
            """);

        var options = WorkerPoolOptions.FromConfig(config);

        Assert.Equal(TimeSpan.FromMinutes(10), options.DeduplicationWindow);
        Assert.Equal(3, options.DefaultConcurrencyLimit);
        Assert.Equal(new Dictionary<string, int> { ["tenant-42"] = 2, ["tenant.7"] = 5 }, options.ConcurrencyLimits);
        var defaults = WorkerPoolOptions.FromConfig(Config.Empty);
        Assert.Equal((TimeSpan.Zero, (int?)null, 0), (defaults.DeduplicationWindow, defaults.DefaultConcurrencyLimit, defaults.ConcurrencyLimits.Count));
    }

    [Theory]
    [InlineData("concurrency-limits { \"tenant-42\" = 0 }", "actor-pool.concurrency-limits.\"tenant-42\"")]
    [InlineData("concurrency-limits { a = lots }", "actor-pool.concurrency-limits.\"a\"")]
    [InlineData("default-concurrency-limit = -1", "actor-pool.default-concurrency-limit")]
    [InlineData("deduplication-window = -5s", "actor-pool.deduplication-window")]
    public void A_bad_key_setting_must_fail_naming_the_hocon_key(string hocon, string key)
    {
        var error = Assert.Throws<ConfigurationException>(() => WorkerPoolOptions.FromConfig(ConfigurationFactory.ParseString($"actor-pool {{ {hocon} }}")));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Schedules_in_hocon_must_reach_the_options()
    {
        var config = ConfigurationFactory.ParseString("""
            actor-pool.schedules {
              nightly-report {
                cron = "0 2 * * *"
                handler = report
                payload = "{\"name\":\"sales\"}"
                time-zone = "Europe/Berlin"
                overlap = queue
                misfire = skip
                misfire-threshold = 5m
              }
              every-second { cron = "* * * * * *", handler = tick }
            }
            """);

        var options = WorkerPoolOptions.FromConfig(config);

        var nightly = options.Schedules["nightly-report"];
        Assert.Equal(("0 2 * * *", "report", "{\"name\":\"sales\"}", "Europe/Berlin"), (nightly.Cron, nightly.Handler, nightly.Payload, nightly.TimeZone));
        Assert.Equal((OverlapPolicy.Queue, MisfirePolicy.Skip, TimeSpan.FromMinutes(5)), (nightly.Overlap, nightly.Misfire, nightly.MisfireThreshold));
        var everySecond = options.Schedules["every-second"];
        Assert.Equal((OverlapPolicy.Skip, MisfirePolicy.RunOnce, null), (everySecond.Overlap, everySecond.Misfire, everySecond.Payload));
        Assert.Empty(WorkerPoolOptions.FromConfig(Config.Empty).Schedules);
    }

    [Theory]
    [InlineData("a { cron = \"61 * * * *\", handler = h }", "actor-pool.schedules.a.cron")]
    [InlineData("a { handler = h }", "actor-pool.schedules.a.cron")]
    [InlineData("a { cron = \"* * * * *\" }", "actor-pool.schedules.a.handler")]
    [InlineData("a { cron = \"* * * * *\", handler = h, time-zone = \"Mars/Olympus\" }", "'Mars/Olympus'")]
    [InlineData("a { cron = \"* * * * *\", handler = h, overlap = sometimes }", "actor-pool.schedules.a.overlap")]
    [InlineData("a { cron = \"* * * * *\", handler = h, misfire = never }", "actor-pool.schedules.a.misfire")]
    public void A_bad_schedule_in_hocon_must_fail_naming_the_hocon_key(string hocon, string named)
    {
        var error = Assert.Throws<ConfigurationException>(() => WorkerPoolOptions.FromConfig(ConfigurationFactory.ParseString($"actor-pool.schedules {{ {hocon} }}")));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
