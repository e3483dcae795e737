using Akka.Configuration;

namespace ActorPool.Tests.Reliability;

/// <summary>
/// Issue 11, item 5: options that look valid but leave a dead pool (overflowing arithmetic, a
/// router that cannot be built) must be refused by the constructor, naming the option.
/// </summary>
public sealed class OptionBoundsTests
{
    public static TheoryData<string> TooLarge => [.. TooLargeCases.Keys];

    /// <summary>Case name → a change that puts one option past its bound, and that option's name.</summary>
    private static readonly Dictionary<string, (Action<WorkerPoolOptions> Set, string ParamName)> TooLargeCases = new()
    {
        ["Workers int.MaxValue"] = (o => o.Workers = int.MaxValue, nameof(WorkerPoolOptions.Workers)),
        ["Workers 10,001"] = (o => o.Workers = 10_001, nameof(WorkerPoolOptions.Workers)),
        ["RateBurst int.MaxValue with a rate"] = (o => (o.TasksPerSecond, o.RateBurst) = (10, int.MaxValue), nameof(WorkerPoolOptions.RateBurst)),
        ["RateBurst 1,000,001 with a rate"] = (o => (o.TasksPerSecond, o.RateBurst) = (10, 1_000_001), nameof(WorkerPoolOptions.RateBurst)),
        ["TasksPerSecond 1e-12"] = (o => o.TasksPerSecond = 1e-12, nameof(WorkerPoolOptions.TasksPerSecond)),
        ["TasksPerSecond 1e12"] = (o => o.TasksPerSecond = 1e12, nameof(WorkerPoolOptions.TasksPerSecond)),
        ["TasksPerSecond double.MaxValue"] = (o => o.TasksPerSecond = double.MaxValue, nameof(WorkerPoolOptions.TasksPerSecond)),
        ["MaxRetainedResults 10,000,001"] = (o => o.MaxRetainedResults = 10_000_001, nameof(WorkerPoolOptions.MaxRetainedResults)),
        ["MaxAttempts 1,001"] = (o => o.MaxAttempts = 1_001, nameof(WorkerPoolOptions.MaxAttempts)),
    };

    [Theory]
    [MemberData(nameof(TooLarge))]
    public async Task The_constructor_must_refuse_an_option_past_its_bound_naming_it(string tooLarge)
    {
        var (set, paramName) = TooLargeCases[tooLarge];
        var options = new WorkerPoolOptions { Workers = 2 };
        set(options);
        WorkerPool? created = null;

        var error = Record.Exception(() => created = new WorkerPool(options));

        if (created is not null)
        {
            await created.StopQuietlyAsync(); // the defect: a pool was built that can never run anything
        }

        var outOfRange = Assert.IsType<ArgumentOutOfRangeException>(error);
        Assert.Equal(paramName, outOfRange.ParamName);
    }

    [Fact]
    public void Values_at_the_bounds_must_be_accepted()
    {
        WorkerPoolOptions[] atBounds =
        [
            new() { Workers = 10_000 },
            new() { Workers = 2, TasksPerSecond = 10, RateBurst = 1_000_000 },
            new() { Workers = 2, TasksPerSecond = 0.001 },
            new() { Workers = 2, TasksPerSecond = 1_000_000 },
            new() { Workers = 2, MaxRetainedResults = 10_000_000 },
            new() { Workers = 2, MaxAttempts = 1_000 },
        ];

        // Validate, not the constructor: 10,000 workers are too slow to create in a test.
        Assert.All(atBounds, options => options.Validate());
    }

    [Fact]
    public void A_HOCON_worker_count_past_the_bound_must_be_a_configuration_error_naming_the_key()
    {
        var config = ConfigurationFactory.ParseString("actor-pool.workers = 2147483647");

        var error = Assert.Throws<ConfigurationException>(() => WorkerPoolOptions.FromConfig(config));

        Assert.Contains("actor-pool.workers", error.Message, StringComparison.Ordinal);
    }
}
