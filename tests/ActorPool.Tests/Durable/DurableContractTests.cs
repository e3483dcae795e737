using Microsoft.Data.Sqlite;

namespace ActorPool.Tests.Durable;

/// <summary>The promises README makes for durable pools that careless or hostile use broke (issue 23).</summary>
public sealed class DurableContractTests : DurableJournalTests
{
    [Fact]
    public async Task A_journal_write_that_fails_must_fail_its_submit_and_every_later_one_with_PoolJournalException_not_hang()
    {
        await using var pool = Pool();
        pool.Start();
        await pool.SubmitAsync("echo", new Echo("first")).WaitAsync(TestSignals.Patience);
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        // The database refuses the next write.
        RefuseWrites();

        var refused = await Assert.ThrowsAsync<PoolJournalException>(() => pool.SubmitAsync("echo", new Echo("lost")).WaitAsync(TestSignals.Patience));
        var later = await Assert.ThrowsAsync<PoolJournalException>(() => pool.SubmitAsync("echo", new Echo("later")).WaitAsync(TestSignals.Patience));
        await pool.StopAsync().WaitAsync(TestSignals.Patience);

        Assert.Contains("journal", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Same(refused, later);
        var stats = pool.GetStats();
        Assert.Equal((3L, 1L, 2L), (stats.Submitted, stats.Succeeded, stats.Rejected));
        Assert.Equal(stats.Submitted, stats.Succeeded + stats.Failed + stats.Cancelled + stats.TimedOut + stats.Dropped + stats.Rejected);
    }

    [Fact]
    public async Task A_task_running_when_the_journal_fails_must_still_settle_its_caller_and_WaitAsync_must_not_hang()
    {
        var release = TestSignals.NewGate();
        var running = TestSignals.NewGate();
        await using var pool = Pool(o => o.Handlers.Add<Echo, string>("held", async (echo, _) =>
        {
            running.TrySetResult();
            await release.Task;
            return echo.Text;
        }));
        pool.Start();
        var held = pool.RunAsync<string>("held", new Echo("held"));
        await running.WaitAsync();
        RefuseWrites();
        await Assert.ThrowsAsync<PoolJournalException>(() => pool.SubmitAsync("echo", new Echo("lost")).WaitAsync(TestSignals.Patience));

        release.TrySetResult();

        Assert.Equal("held", await held.WaitAsync(TestSignals.Patience));
        await Assert.ThrowsAsync<PoolJournalException>(() => pool.WaitAsync().WaitAsync(TestSignals.Patience));
    }

    [Fact]
    public void A_file_corrupt_past_its_first_page_must_fail_the_pool_at_once_naming_it()
    {
        Execute("CREATE TABLE filler (x BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) INSERT INTO filler SELECT randomblob(400) FROM n;");
        SqliteConnection.ClearAllPools();
        using (var file = new FileStream(File, FileMode.Open, FileAccess.Write))
        {
            Assert.True(file.Length > 10 * 4096, $"the test file has {file.Length} bytes");
            file.Position = 5 * 4096; // a page well past the header, which a schema read never touches
            file.Write(Enumerable.Repeat((byte)0xA5, 4096).ToArray());
        }

        var error = Assert.Throws<PoolJournalException>(() => Pool());

        Assert.Contains("journal.db", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_opened_read_only_must_fail_the_pool_at_once_naming_it()
    {
        await using (var first = Pool())
        {
            first.Start();
            await first.SubmitAsync("echo", new Echo("one")).WaitAsync(TestSignals.Patience);
        }

        var error = Assert.Throws<PoolJournalException>(() => Pool(o => o.Persistence.ConnectionString = $"Data Source={File};Mode=ReadOnly"));

        Assert.Contains("journal.db", error.Message, StringComparison.Ordinal);
        Assert.Contains("readonly", error.Message.Replace("-", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_recovered_result_must_keep_when_its_task_ran_and_how_long_it_took()
    {
        long id;
        TaskResult ran;
        await using (var first = Pool(o => o.Handlers.Add<Echo, string>("slow", async (echo, ct) =>
        {
            await Task.Delay(30, ct);
            return echo.Text;
        })))
        {
            first.Start();
            id = await first.SubmitAsync("slow", new Echo("timed"));
            await first.WaitAsync().WaitAsync(TestSignals.Patience);
            ran = first.GetResults()[id];
        }

        await using var second = Pool(o => o.Handlers.Add<Echo, string>("slow", (echo, _) => Task.FromResult(echo.Text)));
        second.Start();
        await second.WaitAsync().WaitAsync(TestSignals.Patience); // read back
        var recovered = second.GetResults()[id];

        Assert.InRange((recovered.StartedAt - ran.StartedAt).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(5));
        Assert.InRange((recovered.Duration - ran.Duration).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(5));
    }

    [Fact]
    public async Task A_failure_must_be_the_same_RemoteTaskException_live_and_after_a_restart()
    {
        long id;
        RemoteTaskException live;
        await using (var first = Pool(o => o.Handlers.Add<Echo, string>("fail", (echo, _) => throw new InvalidOperationException($"no {echo.Text}"))))
        {
            first.Start();
            live = await Assert.ThrowsAsync<RemoteTaskException>(() => first.RunAsync<string>("fail", new Echo("luck")).WaitAsync(TestSignals.Patience));
            await first.WaitAsync().WaitAsync(TestSignals.Patience);
            id = Assert.Single(first.GetResults()).Key;
            Assert.IsType<RemoteTaskException>(first.GetResults()[id].Error);
        }

        await using var second = Pool(o => o.Handlers.Add<Echo, string>("fail", (echo, _) => Task.FromResult(echo.Text)));
        second.Start();
        await second.WaitAsync().WaitAsync(TestSignals.Patience); // read back
        var recovered = Assert.IsType<RemoteTaskException>(second.GetResults()[id].Error);

        Assert.Equal(("System.InvalidOperationException", "no luck"), (live.ExceptionType, live.Message));
        Assert.Equal((live.ExceptionType, live.Message), (recovered.ExceptionType, recovered.Message));
    }

    [Fact]
    public async Task A_payload_that_does_not_read_back_as_written_must_be_refused_at_submit()
    {
        await using var pool = Pool(o => o.Handlers.Add<Sealed, int>("sealed", (s, _) => Task.FromResult(s.X)));
        pool.Start();

        var setter = await Assert.ThrowsAsync<ArgumentException>(() => pool.SubmitAsync("sealed", Sealed.Of(7)));
        var surrogate = await Assert.ThrowsAsync<ArgumentException>(() => pool.SubmitAsync("echo", new Echo("half \ud83d of an emoji")));

        Assert.Equal("payload", setter.ParamName);
        Assert.Contains("Sealed", setter.Message, StringComparison.Ordinal);
        Assert.Contains("surrogate", surrogate.Message, StringComparison.Ordinal);
        Assert.Equal(0, pool.GetStats().Submitted);
        Assert.Equal(0, await pool.RunAsync<int>("sealed", Sealed.Of(0)).WaitAsync(TestSignals.Patience)); // what reads back as written is accepted
    }

    [Fact]
    public async Task QueueSize_must_count_waiting_tasks_only_so_every_worker_runs()
    {
        var release = TestSignals.NewGate();
        var running = 0;
        await using var pool = Pool(o => o.Workers = 4, o => o.QueueSize = 1, o => o.Handlers.Add<Echo, string>("held", async (echo, _) =>
        {
            Interlocked.Increment(ref running);
            await release.Task;
            return echo.Text;
        }));
        pool.Start();

        for (var i = 0; i < 4; i++)
        {
            await pool.SubmitAsync("held", new Echo($"h{i}")).WaitAsync(TestSignals.Patience);
        }

        await TestSignals.EventuallyAsync(() => Volatile.Read(ref running) == 4, () => $"{running} of 4 running with 4 workers and QueueSize = 1");
        release.TrySetResult();
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        Assert.Equal(4, pool.GetStats().Succeeded);
    }

    [Fact]
    public async Task Cancelling_RunAsync_while_its_task_waits_must_record_it_cancelled_unrun()
    {
        var release = TestSignals.NewGate();
        var busy = TestSignals.NewGate();
        var ran = new System.Collections.Concurrent.ConcurrentBag<string>();
        await using var pool = Pool(o => o.Workers = 1, o => o.Handlers.Add<Echo, string>("held", async (echo, _) =>
        {
            ran.Add(echo.Text);
            busy.TrySetResult();
            await release.Task;
            return echo.Text;
        }));
        pool.Start();
        var first = pool.RunAsync<string>("held", new Echo("busy"));
        await busy.WaitAsync();
        using var cancel = new CancellationTokenSource();
        var waiting = pool.RunAsync<string>("held", new Echo("waiting"), cancellationToken: cancel.Token);
        await TestSignals.EventuallyAsync(() => pool.GetStats().Submitted == 2, () => "the second task was not accepted");

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TestSignals.Patience));
        release.TrySetResult();
        Assert.Equal("busy", await first.WaitAsync(TestSignals.Patience));
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        var stats = pool.GetStats();
        Assert.Equal(["busy"], ran);
        Assert.Equal((1L, 1L), (stats.Succeeded, stats.Cancelled));
        Assert.Equal(stats.Submitted, stats.Succeeded + stats.Failed + stats.Cancelled + stats.TimedOut + stats.Dropped + stats.Rejected);
    }

    [Fact]
    public async Task A_second_live_pool_of_the_same_name_on_one_journal_must_be_refused_at_start_naming_the_name()
    {
        await using (var first = Pool())
        {
            first.Start();
            await first.SubmitAsync("echo", new Echo("one")).WaitAsync(TestSignals.Patience);

            var error = Assert.Throws<PoolJournalException>(() => Pool());
            Assert.Contains("'pool'", error.Message, StringComparison.Ordinal);
            Assert.Contains("journal.db", error.Message, StringComparison.Ordinal);

            // Another name is another queue in the same journal.
            var system = Akka.Actor.ActorSystem.Create("other-name");
            try
            {
                var other = WorkerPool.Create(system, Options(), "other");
                other.Start();
                Assert.True(await other.SubmitAsync("echo", new Echo("two")).WaitAsync(TestSignals.Patience) > 0);
                await other.StopAsync().WaitAsync(TestSignals.Patience);
            }
            finally
            {
                await system.Terminate();
            }
        }

        // Once the first has stopped, its name is free again.
        await using var next = Pool();
        next.Start();
        await next.WaitAsync().WaitAsync(TestSignals.Patience);
        Assert.Equal(1, next.GetStats().Recovered);
    }

    [Fact]
    public void Options_a_durable_pool_would_ignore_must_be_refused_naming_option_and_mode()
    {
        var error = Assert.Throws<ArgumentException>(() => Pool(o => o.QueueSize = 2, o => o.Overflow = OverflowPolicy.DropOldest));

        Assert.Equal(nameof(WorkerPoolOptions.Overflow), error.ParamName);
        Assert.Contains("Persistence.Enabled", error.Message, StringComparison.Ordinal);
    }

    private void RefuseWrites() =>
        Execute("CREATE TRIGGER refuse_writes BEFORE INSERT ON journal BEGIN SELECT RAISE(ABORT, 'the database refuses this write'); END;");

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={File};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }


    /// <summary>A payload whose property JSON can write but not set: it would arrive as 0.</summary>
    public sealed class Sealed
    {
        public int X { get; private set; }

        [System.Text.Json.Serialization.JsonConstructor]
        public Sealed()
        {
        }

        public static Sealed Of(int x) => new() { X = x };
    }
}
