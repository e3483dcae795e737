using System.Collections.Concurrent;

namespace ActorPool.Tests.Keys;

/// <summary>
/// <see cref="TaskOptions.Key"/> on a local pool: while a keyed task is queued or running (and for
/// its window after), a submit with the same key makes no second task; it gets the same id, and
/// <c>RunAsync</c> the same outcome.
/// </summary>
public sealed class DeduplicationTests
{
    [Fact]
    public async Task A_thousand_keys_each_submitted_ten_times_from_three_threads_must_run_a_thousand_tasks()
    {
        const int Keys = 1000;
        const int Repeats = 10;
        var gate = TestSignals.NewGate();
        var runs = new ConcurrentDictionary<string, int>();
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 8, QueueSize = 0 });
        pool.Start();

        // Each thread submits every key's repeats in its share; all tasks wait until every submit is in.
        var ids = new ConcurrentDictionary<string, ConcurrentBag<long>>();
        var threads = Enumerable.Range(0, 3).Select(thread => Task.Run(async () =>
        {
            for (var n = thread; n < Keys * Repeats; n += 3)
            {
                var key = $"order-{n % Keys}";
                var id = await pool.SubmitAsync(
                    async _ =>
                    {
                        runs.AddOrUpdate(key, 1, (_, count) => count + 1);
                        await gate.Task;
                    },
                    new TaskOptions { Key = key });
                ids.GetOrAdd(key, _ => []).Add(id);
            }
        })).ToArray();
        await Task.WhenAll(threads).WaitAsync(TestSignals.Patience);
        gate.TrySetResult();
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal(Keys, runs.Count);
        Assert.All(runs, run => Assert.Equal(1, run.Value));
        Assert.All(ids, key => Assert.Single(key.Value.Distinct())); // every repeat got the one task's id
        var stats = pool.GetStats();
        Assert.Equal(Keys, stats.Submitted);
        Assert.Equal(Keys, stats.Succeeded);
        Assert.Equal((Keys * Repeats) - Keys, stats.Deduplicated);
        Assert.Equal(stats.Submitted, stats.Succeeded + stats.Failed + stats.Cancelled + stats.TimedOut + stats.Dropped + stats.Rejected);
        Assert.Equal(Keys, pool.GetResults().Count);
    }

    [Fact]
    public async Task RunAsync_with_a_taken_key_must_await_the_existing_tasks_value()
    {
        var gate = TestSignals.NewGate();
        var runs = 0;
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 4 });
        pool.Start();
        var options = new TaskOptions { Key = "report-7" };

        var first = pool.RunAsync(
            async _ =>
            {
                Interlocked.Increment(ref runs);
                await gate.Task;
                return "the report";
            },
            options);
        var again = Enumerable.Range(0, 5).Select(_ => pool.RunAsync(_ => Task.FromResult("a second report"), options)).ToArray();
        gate.TrySetResult();

        Assert.Equal("the report", await first.WaitAsync(TestSignals.Patience));
        Assert.All(await Task.WhenAll(again).WaitAsync(TestSignals.Patience), value => Assert.Equal("the report", value));
        Assert.Equal(1, runs);
        Assert.Equal(5, pool.GetStats().Deduplicated);
    }

    [Fact]
    public async Task A_joiner_of_a_failing_task_must_get_its_exception()
    {
        var gate = TestSignals.NewGate();
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2 });
        pool.Start();
        var options = new TaskOptions { Key = "flaky" };

        var first = pool.RunAsync<int>(
            async _ =>
            {
                await gate.Task;
                throw new InvalidOperationException("upstream said no");
            },
            options);
        var joiner = pool.RunAsync(_ => Task.FromResult(1), options);
        gate.TrySetResult();

        Assert.Equal("upstream said no", (await Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitAsync(TestSignals.Patience))).Message);
        Assert.Equal("upstream said no", (await Assert.ThrowsAsync<InvalidOperationException>(() => joiner.WaitAsync(TestSignals.Patience))).Message);
    }

    [Fact]
    public async Task A_key_must_be_free_once_its_task_ends_without_a_window()
    {
        var runs = 0;
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2 });
        pool.Start();
        var options = new TaskOptions { Key = "nightly" };

        var first = await pool.RunAsync(_ => Task.FromResult(Interlocked.Increment(ref runs)), options).WaitAsync(TestSignals.Patience);
        var second = await pool.RunAsync(_ => Task.FromResult(Interlocked.Increment(ref runs)), options).WaitAsync(TestSignals.Patience);

        Assert.Equal((1, 2), (first, second));
        Assert.Equal(0, pool.GetStats().Deduplicated);
    }

    [Fact]
    public async Task A_finished_tasks_key_must_answer_repeats_with_its_id_until_the_window_ends()
    {
        var time = new ManualClock();
        var runs = 0;
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2, TimeProvider = time, DeduplicationWindow = TimeSpan.FromMinutes(5) });
        pool.Start();
        var options = new TaskOptions { Key = "invoice-42" };

        var first = await pool.SubmitAsync(_ => Task.FromResult(Interlocked.Increment(ref runs)), options);
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        time.Advance(TimeSpan.FromMinutes(4));
        var repeat = await pool.SubmitAsync(_ => Task.FromResult(Interlocked.Increment(ref runs)), options);
        var noValue = await Assert.ThrowsAsync<InvalidCastException>(() => pool.RunAsync(_ => Task.FromResult(-1), options).WaitAsync(TestSignals.Patience));
        time.Advance(TimeSpan.FromMinutes(2));
        var after = await pool.SubmitAsync(_ => Task.FromResult(Interlocked.Increment(ref runs)), options);
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal(first, repeat);
        Assert.Contains("'invoice-42'", noValue.Message, StringComparison.Ordinal); // the finished task was a SubmitAsync one: it leaves no Int32 to hand on
        Assert.NotEqual(first, after);
        Assert.Equal(2, runs);
        Assert.Equal(2, pool.GetStats().Deduplicated);
    }

    [Fact]
    public async Task A_tasks_own_window_must_win_over_the_pools()
    {
        var time = new ManualClock();
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2, TimeProvider = time });
        pool.Start();
        var options = new TaskOptions { Key = "k", DeduplicationWindow = TimeSpan.FromSeconds(30) };

        var first = await pool.SubmitAsync(_ => Task.CompletedTask, options);
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        var repeat = await pool.SubmitAsync(_ => Task.CompletedTask, options);
        time.Advance(TimeSpan.FromSeconds(31));
        var after = await pool.SubmitAsync(_ => Task.CompletedTask, options);

        Assert.Equal(first, repeat);
        Assert.NotEqual(first, after);
    }

    [Fact]
    public async Task A_refused_keyed_submit_must_leave_the_key_free()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1 });
        pool.Start();
        await pool.StopAsync();

        var refused = await Assert.ThrowsAsync<SubmitRejectedException>(() => pool.SubmitAsync(_ => Task.CompletedTask, new TaskOptions { Key = "k" }));
        Assert.Equal(RejectionReason.Stopped, refused.Reason);
        Assert.False(await pool.TrySubmitAsync(_ => Task.CompletedTask, new TaskOptions { Key = "k" }));
        var stats = pool.GetStats();
        Assert.Equal((2, 2, 0), (stats.Submitted, stats.Rejected, stats.Deduplicated));
    }

    [Fact]
    public async Task Tasks_without_a_key_must_never_be_deduplicated()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2 });
        pool.Start();

        var ids = await pool.SubmitManyAsync(Enumerable.Range(0, 50).Select(_ => (Func<CancellationToken, Task>)(_ => Task.CompletedTask)));
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal(50, ids.Distinct().Count());
        Assert.Equal((50, 0L), (pool.GetStats().Succeeded, pool.GetStats().Deduplicated));
    }

    [Fact]
    public async Task SubmitManyAsync_with_one_key_must_make_one_task()
    {
        var gate = TestSignals.NewGate();
        var runs = 0;
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2 });
        pool.Start();

        var ids = await pool.SubmitManyAsync(
            Enumerable.Range(0, 5).Select(_ => (Func<CancellationToken, Task>)(async _ =>
            {
                Interlocked.Increment(ref runs);
                await gate.Task;
            })),
            new TaskOptions { Key = "batch" });
        gate.TrySetResult();
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Single(ids.Distinct());
        Assert.Equal(1, runs);
        Assert.Equal((1L, 4L), (pool.GetStats().Submitted, pool.GetStats().Deduplicated));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task An_empty_key_must_be_refused_naming_it(string key)
    {
        await using var pool = new WorkerPool(1);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => pool.SubmitAsync(_ => Task.CompletedTask, new TaskOptions { Key = key }));
        Assert.Equal(nameof(TaskOptions.Key), error.ParamName);
        var concurrency = await Assert.ThrowsAsync<ArgumentException>(() => pool.SubmitAsync(_ => Task.CompletedTask, new TaskOptions { ConcurrencyKey = key }));
        Assert.Equal(nameof(TaskOptions.ConcurrencyKey), concurrency.ParamName);
    }

    [Fact]
    public async Task An_overlong_key_must_be_refused_naming_it_and_its_length()
    {
        await using var pool = new WorkerPool(1);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => pool.SubmitAsync(_ => Task.CompletedTask, new TaskOptions { Key = new string('k', 257) }));
        Assert.Equal(nameof(TaskOptions.Key), error.ParamName);
        Assert.Contains("257", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_negative_window_or_one_without_a_key_must_be_refused_naming_it()
    {
        await using var pool = new WorkerPool(1);

        var negative = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => pool.SubmitAsync(_ => Task.CompletedTask, new TaskOptions { Key = "k", DeduplicationWindow = TimeSpan.FromSeconds(-1) }));
        Assert.Equal(nameof(TaskOptions.DeduplicationWindow), negative.ParamName);
        var keyless = await Assert.ThrowsAsync<ArgumentException>(() => pool.SubmitAsync(_ => Task.CompletedTask, new TaskOptions { DeduplicationWindow = TimeSpan.FromSeconds(1) }));
        Assert.Equal(nameof(TaskOptions.DeduplicationWindow), keyless.ParamName);
        var poolWindow = Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPoolOptions { DeduplicationWindow = TimeSpan.FromSeconds(-1) }.Validate());
        Assert.Equal(nameof(WorkerPoolOptions.DeduplicationWindow), poolWindow.ParamName);
    }
}
