namespace ActorPool.Tests.Reliability;

/// <summary>Issue 11, items 4 and 11: a group validates like every other submit path, and disposing it twice is harmless.</summary>
public sealed class TaskGroupTests
{
    [Theory]
    [MemberData(nameof(BadTaskOptions.Cases), MemberType = typeof(BadTaskOptions))]
    public async Task Go_must_refuse_invalid_options_at_once_and_leave_the_pool_and_the_group_working(string badCase)
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2 });
        pool.Start();
        try
        {
            var (options, paramName) = BadTaskOptions.Build[badCase];
            using var group = new TaskGroup(pool);

            var error = Assert.Throws<ArgumentOutOfRangeException>(() => group.Go(_ => Task.CompletedTask, options));

            Assert.Equal(paramName, error.ParamName);
            var ran = 0;
            for (var i = 0; i < 3; i++)
            {
                group.Go(_ =>
                {
                    Interlocked.Increment(ref ran);
                    return Task.CompletedTask;
                });
            }

            await group.WaitAsync().WaitAsync(TestSignals.Patience);
            Assert.Equal(3, ran);
            Assert.Equal(42, await pool.RunAsync(_ => Task.FromResult(42)).WaitAsync(TestSignals.Patience));
            await pool.WaitAsync().WaitAsync(TestSignals.Patience);
            var stats = pool.GetStats();
            stats.AssertBooksBalance();
            Assert.Equal(4, stats.Succeeded);
        }
        finally
        {
            await pool.StopQuietlyAsync();
        }
    }

    [Fact]
    public async Task Disposing_a_group_twice_must_not_throw()
    {
        var pool = new WorkerPool(1);
        pool.Start();
        try
        {
            var group = new TaskGroup(pool);
            group.Go(_ => Task.CompletedTask);
            await group.WaitAsync().WaitAsync(TestSignals.Patience);

            group.Dispose();
            var second = Record.Exception(group.Dispose);

            Assert.Null(second);
        }
        finally
        {
            await pool.StopQuietlyAsync();
        }
    }
}
