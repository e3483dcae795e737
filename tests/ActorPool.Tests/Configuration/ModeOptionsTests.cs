using Akka.Configuration;

namespace ActorPool.Tests.Configuration;

/// <summary>An option means the same in every mode, or the mode refuses it at construction by name (issue 23, items 8 and 10).</summary>
public sealed class ModeOptionsTests
{
    public static TheoryData<string, Action<WorkerPoolOptions>> IgnoredOnACluster => new()
    {
        { nameof(WorkerPoolOptions.TasksPerSecond), o => o.TasksPerSecond = 5 },
        { nameof(WorkerPoolOptions.CircuitBreaker), o => o.CircuitBreaker = new CircuitBreakerOptions { MaxFailures = 3 } },
        { nameof(WorkerPoolOptions.Resizer), o => o.Resizer = new ResizerOptions { LowerBound = 1, UpperBound = 8 } },
        { nameof(WorkerPoolOptions.Overflow), o => (o.QueueSize, o.Overflow) = (2, OverflowPolicy.DropOldest) },
    };

    [Theory]
    [MemberData(nameof(IgnoredOnACluster))]
    public void A_clustered_pool_must_refuse_an_option_it_cannot_honour_naming_option_and_mode(string option, Action<WorkerPoolOptions> set)
    {
        var options = new WorkerPoolOptions { Workers = 4 };
        options.Cluster.Enabled = true;
        set(options);

        var error = Assert.Throws<ArgumentException>(() => new WorkerPool(options));

        Assert.Equal(option, error.ParamName);
        Assert.Contains("Cluster.Enabled", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_options_must_stay_accepted_by_a_local_pool()
    {
        var options = new WorkerPoolOptions { Workers = 4, TasksPerSecond = 5, QueueSize = 2, Overflow = OverflowPolicy.DropOldest };

        options.Validate();
    }

    [Fact]
    public void HOCON_that_asks_a_cluster_for_a_rate_limit_must_fail_at_start_naming_the_key()
    {
        var config = ConfigurationFactory.ParseString("actor-pool { cluster.enabled = on, tasks-per-second = 5 }");

        var error = Assert.Throws<ConfigurationException>(() => WorkerPoolOptions.FromConfig(config));

        Assert.Contains("actor-pool.tasks-per-second", error.Message, StringComparison.Ordinal);
        Assert.Contains("Cluster.Enabled", error.Message, StringComparison.Ordinal);
    }
}
