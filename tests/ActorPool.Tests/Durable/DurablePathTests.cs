namespace ActorPool.Tests.Durable;

/// <summary>A durable task takes the pool's own path (one gate, queue, supervisor and recorder), with the journal in front: issue 19.</summary>
public sealed class DurablePathTests : DurableJournalTests
{
    [Fact]
    public async Task RunAsync_must_hand_back_the_handler_s_own_value_not_a_copy_read_back_from_JSON()
    {
        var made = new Report("nightly", [1, 2, 3]);
        await using var pool = Pool(o => o.Handlers.Add<Echo, Report>("report", (_, _) => Task.FromResult(made)));
        pool.Start();

        var value = await pool.RunAsync<Report>("report", new Echo("go")).WaitAsync(TestSignals.Patience);

        Assert.Same(made, value);
    }

    [Fact]
    public async Task A_failure_must_keep_the_handler_s_own_exception_inside_the_RemoteTaskException_it_is_recorded_as()
    {
        await using var pool = Pool(o => o.Handlers.Add<Echo, string>("fail", (echo, _) => throw new FormatException(echo.Text)));
        pool.Start();

        var failed = await Assert.ThrowsAsync<RemoteTaskException>(() => pool.RunAsync<string>("fail", new Echo("bad input"))).WaitAsync(TestSignals.Patience);

        var own = Assert.IsType<FormatException>(failed.InnerException);
        Assert.Equal("bad input", own.Message);
        Assert.Equal(typeof(FormatException).FullName, failed.ExceptionType);
    }

    [Fact]
    public async Task Ids_must_go_on_from_the_last_run_s_and_the_stop_must_wait_for_every_task_of_both_runs()
    {
        long firstRunLast;
        await using (var first = Pool())
        {
            first.Start();
            var ids = await first.SubmitManyAsync("echo", Enumerable.Range(0, 5).Select(i => new Echo($"a{i}"))).WaitAsync(TestSignals.Patience);
            firstRunLast = ids.Max();
            await first.WaitAsync().WaitAsync(TestSignals.Patience);
        }

        await using var second = Pool();
        second.Start();
        var next = await second.SubmitManyAsync("echo", Enumerable.Range(0, 5).Select(i => new Echo($"b{i}"))).WaitAsync(TestSignals.Patience);
        await second.StopAsync().WaitAsync(TestSignals.Patience);

        Assert.All(next, id => Assert.True(id > firstRunLast, $"id {id} is not past the first run's last id {firstRunLast}"));
        Assert.All(next, id => Assert.Equal(TaskOutcome.Succeeded, second.GetResults()[id].Outcome));
        var stats = second.GetStats();
        Assert.Equal((5L, 5L), (stats.Submitted, stats.Succeeded));
    }

    public sealed record Report(string Name, int[] Rows);
}
