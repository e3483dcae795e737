namespace ActorPool.Tests.Durable;

/// <summary>
/// Deduplication keys on a durable pool: the journal carries them, so after a crash a repeat of a
/// key that finished within its window is not run again, and a repeat of an unfinished one joins
/// the task read back instead of making a second.
/// </summary>
public sealed class DurableKeyTests : DurableJournalTests
{
    [Fact]
    public async Task Keys_must_survive_a_crash_finished_ones_never_run_again_and_unfinished_ones_run_once()
    {
        const int Finished = 10;
        const int Unfinished = 10;
        var hung = 0;
        void Window(WorkerPoolOptions o) => o.DeduplicationWindow = TimeSpan.FromMinutes(10);
        var crashing = Pool(Window, o => o.Workers = Unfinished, o => o.Handlers.Add<Echo, string>("hang", async (echo, _) =>
        {
            Interlocked.Increment(ref hung);
            await new TaskCompletionSource().Task; // still running when the process dies
            return echo.Text;
        }));
        crashing.Start();

        var ids = new Dictionary<string, long>();
        for (var i = 0; i < Finished; i++)
        {
            ids[$"done-{i}"] = await crashing.SubmitAsync("echo", new Echo($"done-{i}"), new TaskOptions { Key = $"done-{i}" });
        }

        await crashing.WaitAsync().WaitAsync(TestSignals.Patience); // their outcomes are journaled
        for (var i = 0; i < Unfinished; i++)
        {
            ids[$"hang-{i}"] = await crashing.SubmitAsync("hang", new Echo($"hang-{i}"), new TaskOptions { Key = $"hang-{i}" });
        }

        await TestSignals.EventuallyAsync(() => Volatile.Read(ref hung) == Unfinished, () => $"{hung} running");
        await crashing.CrashAsync();

        var runs = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        await using var next = Pool(Window, o => o.Handlers.Add<Echo, string>("hang", (echo, _) =>
        {
            runs.AddOrUpdate(echo.Text, 1, (_, n) => n + 1);
            return Task.FromResult(echo.Text);
        }));
        next.Start();

        // Every key submitted twice more after the restart, as a client retrying its enqueue would.
        var again = new List<(string Key, long Id)>();
        foreach (var key in ids.Keys)
        {
            for (var repeat = 0; repeat < 2; repeat++)
            {
                var handler = key.StartsWith("done", StringComparison.Ordinal) ? "echo" : "hang";
                again.Add((key, await next.SubmitAsync(handler, new Echo(key), new TaskOptions { Key = key })));
            }
        }

        await next.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.All(again, repeat => Assert.Equal(ids[repeat.Key], repeat.Id));
        Assert.Equal(Unfinished, runs.Count);
        Assert.All(runs, run => Assert.Equal(1, run.Value));
        Assert.DoesNotContain(runs.Keys, key => key.StartsWith("done", StringComparison.Ordinal));
        var stats = next.GetStats();
        Assert.Equal((Unfinished, 0L, (long)again.Count), (stats.Resumed, stats.Submitted, stats.Deduplicated));
        Assert.Equal(Unfinished, stats.Succeeded);
    }

    [Fact]
    public async Task A_finished_keys_window_must_end_after_a_restart_as_it_would_have_without_one()
    {
        long first;
        await using (var pool = Pool())
        {
            pool.Start();
            first = await pool.SubmitAsync("echo", new Echo("a"), new TaskOptions { Key = "short", DeduplicationWindow = TimeSpan.FromMilliseconds(1) });
            await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        }

        await using var next = Pool();
        next.Start();
        var after = await next.SubmitAsync("echo", new Echo("b"), new TaskOptions { Key = "short" });
        await next.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.NotEqual(first, after);
        Assert.Equal((1L, 0L), (next.GetStats().Succeeded, next.GetStats().Deduplicated));
    }
}
