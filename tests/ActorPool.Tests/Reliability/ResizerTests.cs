namespace ActorPool.Tests.Reliability;

/// <summary>Issue 11, items 6 and 12: an absurd resize is refused and leaves the pool whole; the automatic resizer keeps <see cref="WorkerPool.Workers"/> true.</summary>
public sealed class ResizerTests
{
    [Fact]
    public async Task An_absurd_resize_must_be_refused_and_a_later_sane_one_must_take_effect()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1 });
        pool.Start();
        var release = TestSignals.NewGate();
        try
        {
            var huge = Assert.Throws<ArgumentOutOfRangeException>(() => pool.Resize(int.MaxValue));
            var justPast = Assert.Throws<ArgumentOutOfRangeException>(() => pool.Resize(10_001));

            Assert.Equal(("workers", "workers"), (huge.ParamName, justPast.ParamName));
            Assert.Equal(1, pool.Workers);
            Assert.Equal(42, await pool.RunAsync(_ => Task.FromResult(42)).WaitAsync(TestSignals.Patience));

            pool.Resize(3);
            var started = Enumerable.Range(0, 3).Select(_ => TestSignals.NewGate()).ToArray();
            foreach (var gate in started)
            {
                await pool.SubmitAsync(async _ =>
                {
                    gate.TrySetResult();
                    await release.Task;
                });
            }

            // All three hold their workers until released: they can only all start if three run at once.
            await Task.WhenAll(started.Select(s => s.Task)).WaitAsync(TestSignals.Patience);
            Assert.Equal(3, pool.Workers);
            await TestSignals.EventuallyAsync(() => pool.GetStats() is { Workers: 3, ActiveWorkers: 3 }, () => $"{pool.GetStats()}");
            release.TrySetResult();
            await pool.WaitAsync().WaitAsync(TestSignals.Patience);
            Assert.Equal(4, pool.GetStats().Succeeded);
        }
        finally
        {
            release.TrySetResult();
            await pool.StopQuietlyAsync();
        }
    }

    [Fact]
    public async Task Workers_must_follow_the_automatic_resizer()
    {
        var pool = new WorkerPool(new WorkerPoolOptions
        {
            Workers = 1,
            Resizer = new ResizerOptions { LowerBound = 1, UpperBound = 4, Interval = TimeSpan.FromMilliseconds(100) },
        });
        pool.Start();
        var release = TestSignals.NewGate();
        try
        {
            for (var i = 0; i < 6; i++)
            {
                await pool.SubmitAsync(_ => release.Task);
            }

            await TestSignals.EventuallyAsync(() => pool.GetStats() is { Workers: 4, ActiveWorkers: 4 }, () => $"{pool.GetStats()}");

            Assert.Equal(pool.GetStats().Workers, pool.Workers);
        }
        finally
        {
            release.TrySetResult();
            await pool.StopQuietlyAsync();
        }
    }
}
