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
