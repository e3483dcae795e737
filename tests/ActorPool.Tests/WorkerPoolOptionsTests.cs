namespace ActorPool.Tests;

public sealed class WorkerPoolOptionsTests
{
    public static TheoryData<string, Action<WorkerPoolOptions>> InvalidOptions => new()
    {
        { nameof(WorkerPoolOptions.Workers), o => o.Workers = 0 },
        { nameof(WorkerPoolOptions.Workers), o => o.Workers = -3 },
        { nameof(WorkerPoolOptions.QueueSize), o => o.QueueSize = -1 },
        { nameof(WorkerPoolOptions.ShutdownTimeout), o => o.ShutdownTimeout = TimeSpan.Zero },
        { nameof(WorkerPoolOptions.TaskTimeout), o => o.TaskTimeout = TimeSpan.FromSeconds(-1) },
        { nameof(WorkerPoolOptions.MaxRetainedResults), o => o.MaxRetainedResults = -1 },
        { nameof(WorkerPoolOptions.AskTimeout), o => o.AskTimeout = TimeSpan.Zero },
        { nameof(WorkerPoolOptions.TimeProvider), o => o.TimeProvider = null! },
        { nameof(WorkerPoolOptions.Overflow), o => o.Overflow = (OverflowPolicy)7 },
        { nameof(WorkerPoolOptions.QueueTimeout), o => o.QueueTimeout = TimeSpan.Zero },
        { nameof(WorkerPoolOptions.MaxAttempts), o => o.MaxAttempts = 0 },
        { nameof(WorkerPoolOptions.RetryBackoff), o => o.RetryBackoff = TimeSpan.FromMilliseconds(-1) },
        { nameof(WorkerPoolOptions.MaxRetryBackoff), o => o.MaxRetryBackoff = TimeSpan.FromMilliseconds(10) },
        { nameof(WorkerPoolOptions.ShouldRetry), o => o.ShouldRetry = null! },
        { nameof(WorkerPoolOptions.TasksPerSecond), o => o.TasksPerSecond = 0 },
        { nameof(WorkerPoolOptions.TasksPerSecond), o => o.TasksPerSecond = double.NaN },
        { nameof(WorkerPoolOptions.RateBurst), o => o.RateBurst = 0 },
        { nameof(CircuitBreakerOptions.MaxFailures), o => o.CircuitBreaker = new CircuitBreakerOptions { MaxFailures = 0 } },
        { nameof(CircuitBreakerOptions.ResetTimeout), o => o.CircuitBreaker = new CircuitBreakerOptions { ResetTimeout = TimeSpan.Zero } },
        { nameof(ResizerOptions.LowerBound), o => o.Resizer = new ResizerOptions { LowerBound = 0 } },
        { nameof(ResizerOptions.UpperBound), o => o.Resizer = new ResizerOptions { LowerBound = 4, UpperBound = 3 } },
        { nameof(ResizerOptions.Interval), o => o.Resizer = new ResizerOptions { Interval = TimeSpan.Zero } },
        { nameof(WorkerPoolOptions.Workers), o => o.Resizer = new ResizerOptions { LowerBound = 1, UpperBound = 4 } },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_must_throw_an_ArgumentException_naming_the_property(string property, Action<WorkerPoolOptions> spoil)
    {
        var options = new WorkerPoolOptions();
        spoil(options);

        var error = Assert.ThrowsAny<ArgumentException>(() => new WorkerPool(options));

        Assert.Equal(property, error.ParamName);
        Assert.Contains(property, error.Message);
    }

    [Fact]
    public async Task Invalid_task_options_must_throw_naming_the_property()
    {
        await using var pool = new WorkerPool(1);

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => pool.SubmitAsync(_ => Task.CompletedTask, new TaskOptions { Timeout = TimeSpan.Zero }));

        Assert.Equal(nameof(TaskOptions.Timeout), error.ParamName);
        error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => pool.TrySubmitAsync(_ => Task.CompletedTask, new TaskOptions { QueueTimeout = TimeSpan.FromSeconds(-1) }));
        Assert.Equal(nameof(TaskOptions.QueueTimeout), error.ParamName);
        error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => pool.RunAsync(_ => Task.FromResult(1), new TaskOptions { MaxAttempts = 0 }));
        Assert.Equal(nameof(TaskOptions.MaxAttempts), error.ParamName);
    }

    [Fact]
    public async Task Resize_must_refuse_a_count_out_of_range_naming_it()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2, Resizer = new ResizerOptions { LowerBound = 1, UpperBound = 3 } });

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => pool.Resize(0));
        Assert.Equal("workers", error.ParamName);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => pool.Resize(4));
        Assert.Contains("[1, 3]", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, pool.Workers);
    }

    [Fact]
    public void Nested_options_must_be_copied_too()
    {
        var breaker = new CircuitBreakerOptions { MaxFailures = 2 };
        var options = new WorkerPoolOptions { Workers = 2, CircuitBreaker = breaker };
        var copy = options.Clone();

        breaker.MaxFailures = 0;

        Assert.Equal(2, copy.CircuitBreaker!.MaxFailures);
    }

    [Fact]
    public async Task Options_must_be_copied_so_later_changes_do_not_reach_the_pool()
    {
        var options = new WorkerPoolOptions { Workers = 2 };
        await using var pool = new WorkerPool(options);

        options.Workers = 50;

        Assert.Equal(2, pool.Workers);
    }
}
