namespace ActorPool.Tests.Reliability;

/// <summary>
/// Issue 11, item 4 (every submit path validates task options the same way) and its note on
/// <see cref="WorkerPool.SubmitManyAsync(IEnumerable{Func{CancellationToken, Task}}, TaskOptions?, CancellationToken)"/> (an already-cancelled token accepts nothing, like SubmitAsync).
/// </summary>
public sealed class AdmissionTests
{
    public static TheoryData<SubmitPath, string> PathsAndBadOptions
    {
        get
        {
            var data = new TheoryData<SubmitPath, string>();
            foreach (var path in Enum.GetValues<SubmitPath>())
            {
                foreach (var badCase in BadTaskOptions.Build.Keys)
                {
                    data.Add(path, badCase);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndBadOptions))]
    public async Task Every_submit_path_must_refuse_invalid_task_options_naming_the_option(SubmitPath path, string badCase)
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2 });
        pool.Start();
        try
        {
            var (options, paramName) = BadTaskOptions.Build[badCase];
            var ran = false;

            var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => pool.SubmitViaAsync(
                path,
                _ =>
                {
                    ran = true;
                    return Task.CompletedTask;
                },
                options).WaitAsync(TestSignals.Patience));

            Assert.Equal(paramName, error.ParamName);
            Assert.Equal(42, await pool.RunAsync(_ => Task.FromResult(42)).WaitAsync(TestSignals.Patience));
            await pool.WaitAsync().WaitAsync(TestSignals.Patience);
            Assert.False(ran);
            var stats = pool.GetStats();
            stats.AssertBooksBalance();
            Assert.Equal(1, stats.Succeeded);
        }
        finally
        {
            await pool.StopQuietlyAsync();
        }
    }

    [Fact]
    public async Task SubmitManyAsync_with_an_already_cancelled_token_must_accept_nothing_like_SubmitAsync()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2 });
        pool.Start();
        try
        {
            using var cancelled = new CancellationTokenSource();
            await cancelled.CancelAsync();
            var ran = 0;
            Func<CancellationToken, Task> task = _ =>
            {
                Interlocked.Increment(ref ran);
                return Task.CompletedTask;
            };

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.SubmitAsync(task, cancelled.Token).WaitAsync(TestSignals.Patience));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.SubmitManyAsync([task, task, task], cancellationToken: cancelled.Token).WaitAsync(TestSignals.Patience));

            await pool.WaitAsync().WaitAsync(TestSignals.Patience);
            Assert.Equal(0, ran);
            Assert.Empty(pool.GetResults());
            var stats = pool.GetStats();
            Assert.Equal((4, 4), (stats.Submitted, stats.Rejected));
            stats.AssertBooksBalance();
        }
        finally
        {
            await pool.StopQuietlyAsync();
        }
    }
}
