using Akka.Actor;
using Microsoft.Data.Sqlite;

namespace ActorPool.Tests.Durable;

public sealed class DurablePoolTests : DurableJournalTests
{
    [Fact]
    public async Task Outcomes_of_a_finished_run_must_be_read_back_by_the_next_pool_on_the_same_file()
    {
        long[] ids;
        await using (var first = Pool())
        {
            first.Start();
            ids = [.. await first.SubmitManyAsync("echo", Enumerable.Range(0, 100).Select(i => (object?)new Echo($"e{i}")))];
            await first.WaitAsync().WaitAsync(TestSignals.Patience);
            Assert.Equal(100, first.GetStats().Succeeded);
        }

        await using var second = Pool();
        second.Start();
        await second.WaitAsync().WaitAsync(TestSignals.Patience);

        var stats = second.GetStats();
        Assert.Equal((100L, 0L), (stats.Recovered, stats.Resumed));
        Assert.Equal(0, stats.Succeeded); // read back, not run again
        Assert.Equal(ids.Order(), second.GetResults().Keys.Order());
        var next = await second.SubmitAsync("echo", new Echo("after"));
        Assert.True(next > ids.Max(), "ids continue after the journal's last one");
    }

    [Fact]
    public async Task Tasks_without_an_outcome_when_the_process_dies_must_run_again_in_the_next_pool()
    {
        var started = 0;
        var crashing = Pool(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(200), o => o.Handlers.Add<Echo, string>("hang", async (echo, _) =>
        {
            Interlocked.Increment(ref started);
            await new TaskCompletionSource().Task; // ignores its token: still running when the process "dies"
            return echo.Text;
        }));
        crashing.Start();
        var ids = await crashing.SubmitManyAsync("hang", Enumerable.Range(0, 10).Select(i => (object?)new Echo($"h{i}"))).WaitAsync(TestSignals.Patience);
        await TestSignals.EventuallyAsync(() => Volatile.Read(ref started) == 2, () => $"{started} started");

        // Starts are journaled behind, within milliseconds: die once they are written.
        await TestSignals.EventuallyAsync(() => StartsInJournal() == 2, () => $"{StartsInJournal()} starts journaled");

        // A crash: the actor system goes without the pool's stop, so nothing more is journaled.
        await crashing.CrashAsync();

        await using var next = Pool(o => o.Handlers.Add<Echo, string>("hang", (echo, _) => Task.FromResult(echo.Text)));
        next.Start();
        await next.WaitAsync().WaitAsync(TestSignals.Patience);

        var results = next.GetResults();
        Assert.Equal(10, next.GetStats().Resumed);
        Assert.Equal(ids.Order(), results.Keys.Order());
        Assert.All(results.Values, r => Assert.Equal(TaskOutcome.Succeeded, r.Outcome));
        Assert.Equal(2, results.Values.Count(r => r.Attempts == 2)); // the two that were running count that run
        var stats = next.GetStats();
        Assert.Equal(stats.Submitted + stats.Resumed, stats.Succeeded + stats.Failed + stats.Cancelled + stats.TimedOut + stats.Dropped + stats.Rejected);
    }

    [Fact]
    public async Task Snapshots_must_let_the_journal_delete_old_events_and_recovery_must_still_be_complete()
    {
        await using (var first = Pool(o => o.Persistence.SnapshotEvery = 20))
        {
            first.Start();
            for (var round = 0; round < 10; round++)
            {
                await first.SubmitManyAsync("echo", Enumerable.Range(0, 10).Select(i => (object?)new Echo($"{round}-{i}"))).WaitAsync(TestSignals.Patience);
                await first.WaitAsync().WaitAsync(TestSignals.Patience);
            }
        }

        var events = JournalRows();
        await using var second = Pool();
        second.Start();
        await second.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal(100, second.GetStats().Recovered);
        Assert.True(events < 20, $"{events} events left in the journal after 100 tasks and snapshots every 20");
    }

    [Fact]
    public async Task A_durable_pool_stopped_before_its_actor_system_must_not_hold_up_the_system_s_termination()
    {
        // The pool's drain is also a CoordinatedShutdown task; after StopAsync it has run already.
        var system = ActorSystem.Create("durable-host", """
            akka.loglevel = WARNING
            akka.coordinated-shutdown.phases.service-requests-done.timeout = 60s
            """);
        try
        {
            var pool = WorkerPool.Create(system, Options(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30)), "jobs");
            pool.Start();
            await pool.SubmitManyAsync("echo", Enumerable.Range(0, 10).Select(i => (object?)new Echo($"e{i}"))).WaitAsync(TestSignals.Patience);
            await pool.WaitAsync().WaitAsync(TestSignals.Patience);
            await pool.StopAsync().WaitAsync(TestSignals.Patience);
            var clock = System.Diagnostics.Stopwatch.StartNew();

            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(90));

            // A drain that waited for the stopped journal would take the 30 s shutdown timeout.
            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task OnTaskCompleted_must_be_called_for_the_resumed_tasks_like_for_any_other()
    {
        var crashing = Pool(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(200), o => o.Handlers.Add<Echo, string>("hang", async (echo, _) =>
        {
            await new TaskCompletionSource().Task; // never ends: unfinished when the process "dies"
            return echo.Text;
        }));
        crashing.Start();
        var ids = await crashing.SubmitManyAsync("hang", Enumerable.Range(0, 5).Select(i => (object?)new Echo($"h{i}"))).WaitAsync(TestSignals.Patience);
        await crashing.CrashAsync();

        var reported = new System.Collections.Concurrent.ConcurrentDictionary<long, TaskResult>();
        await using var next = Pool(o => o.OnTaskCompleted = r => reported[r.TaskId] = r, o => o.Handlers.Add<Echo, string>("hang", (echo, _) => Task.FromResult(echo.Text)));
        next.Start();
        await next.WaitAsync().WaitAsync(TestSignals.Patience);
        var fresh = await next.SubmitAsync("echo", new Echo("new"));
        await next.WaitAsync().WaitAsync(TestSignals.Patience);

        // "Called once with every recorded result of the pool": the resumed ones are recorded results.
        await TestSignals.EventuallyAsync(() => reported.Count == 6, () => $"{reported.Count} reported: {string.Join(", ", reported.Keys.Order())}");
        Assert.Equal([.. ids.Order(), fresh], reported.Keys.Order());
        Assert.All(reported.Values, r => Assert.Equal(TaskOutcome.Succeeded, r.Outcome));
    }

    [Fact]
    public void A_file_that_is_not_a_database_must_fail_the_pool_at_once_naming_it()
    {
        System.IO.File.WriteAllText(File, "this is not a SQLite database, whatever its name says");

        var error = Assert.Throws<PoolJournalException>(() => Pool());

        Assert.Contains("journal.db", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_another_process_holds_locked_must_fail_the_pool_within_seconds_not_hang()
    {
        using var holder = new SqliteConnection($"Data Source={File}");
        holder.Open();
        using var lockIt = holder.CreateCommand();
        lockIt.CommandText = "CREATE TABLE IF NOT EXISTS held (x); BEGIN EXCLUSIVE;";
        lockIt.ExecuteNonQuery();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = Assert.Throws<PoolJournalException>(() => Pool());

        Assert.Contains("locked", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_closure_must_be_refused_clearly_by_a_durable_pool()
    {
        await using var pool = Pool();

        var error = await Assert.ThrowsAsync<SubmitRejectedException>(() => pool.SubmitAsync(_ => Task.CompletedTask));

        Assert.Equal(RejectionReason.NamedTasksOnly, error.Reason);
    }

    [Fact]
    public async Task A_pool_in_a_system_that_already_terminated_must_stop_at_once_and_its_work_must_wait_in_the_journal()
    {
        var system = ActorSystem.Create("durable-gone");
        var options = new WorkerPoolOptions { Workers = 1, ShutdownTimeout = TimeSpan.FromSeconds(30) };
        options.Persistence.Enabled = true;
        options.Persistence.ConnectionString = $"Data Source={File}";
        options.Handlers.Add<Echo, string>("hang", async (echo, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return echo.Text;
        });
        var pool = WorkerPool.Create(system, options, "gone");
        pool.Start();
        await pool.SubmitManyAsync("hang", Enumerable.Range(0, 3).Select(i => (object?)new Echo($"g{i}"))).WaitAsync(TestSignals.Patience);

        await system.Terminate().WaitAsync(TestSignals.Patience);
        await pool.StopAsync().WaitAsync(TestSignals.Patience); // well inside its 30 s shutdown timeout: nothing is left to wait for

        var again = ActorSystem.Create("durable-again");
        var nextOptions = new WorkerPoolOptions { Workers = 1 };
        nextOptions.Persistence.Enabled = true;
        nextOptions.Persistence.ConnectionString = options.Persistence.ConnectionString;
        nextOptions.Handlers.Add<Echo, string>("hang", (echo, _) => Task.FromResult(echo.Text));
        var next = WorkerPool.Create(again, nextOptions, "gone"); // the same name: the same journal
        next.Start();
        await next.WaitAsync().WaitAsync(TestSignals.Patience);
        var stats = next.GetStats();
        await again.Terminate();
        Assert.Equal((3L, 0L), (stats.Resumed, stats.Recovered));
        Assert.Equal(3, stats.Succeeded);
    }

    /// <summary>Events the journal still holds (deleted ones are only marked until the plugin drops them).</summary>
    private long JournalRows()
    {
        using var connection = new SqliteConnection($"Data Source={File}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM journal WHERE deleted = 0";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>How many task starts the journal holds.</summary>
    private int StartsInJournal()
    {
        using var connection = new SqliteConnection($"Data Source={File};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT message FROM journal WHERE manifest = 'ap.journal.started' AND deleted = 0";
        using var reader = command.ExecuteReader();
        var starts = 0;
        while (reader.Read())
        {
            using var json = System.Text.Json.JsonDocument.Parse((byte[])reader[0]);
            starts += json.RootElement.GetProperty("ids").GetArrayLength();
        }

        return starts;
    }

}

/// <summary>Stands in for a process that dies: the journal stops first, so nothing more is written, then the system goes.</summary>
internal static class Crashes
{
    public static async Task CrashAsync(this WorkerPool pool)
    {
        var system = pool.System!;
        var journal = pool.Supervisor;
        system.Stop(journal);
        await journal.WatchAsync().WaitAsync(TestSignals.Patience);
        await system.Terminate().WaitAsync(TestSignals.Patience).ContinueWith(static _ => { });
    }
}
