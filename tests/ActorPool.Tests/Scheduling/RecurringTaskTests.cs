using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace ActorPool.Tests.Scheduling;

/// <summary>
/// Recurring tasks on a local pool: <see cref="WorkerPool.Schedules"/> submits one task per cron
/// occurrence through the pool's own path, on the pool's clock, with its overlap and misfire rules.
/// The clock is a <see cref="FakeTimeProvider"/>, so a day passes in a moment.
/// </summary>
public sealed class RecurringTaskTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_day_of_a_one_minute_schedule_with_retries_on_the_same_clock_must_run_every_occurrence_once_at_its_time()
    {
        var clock = new FakeTimeProvider(Start);
        var backoff = TimeSpan.FromSeconds(1);
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 4, TimeProvider = clock, RetryBackoff = backoff, MaxRetryBackoff = backoff });
        var firstTries = new ConcurrentDictionary<DateTimeOffset, int>();
        var attempts = 0;
        var tried = new SemaphoreSlim(0);
        pool.Schedules.AddOrUpdate("minutely", "* * * * *", _ =>
        {
            var attempt = Interlocked.Increment(ref attempts);
            firstTries.AddOrUpdate(clock.GetUtcNow(), 1, (_, n) => n + 1);
            tried.Release();
            return attempt % 10 == 0 ? throw new InvalidOperationException("every tenth attempt fails") : Task.CompletedTask;
        }, new ScheduleOptions { Task = new TaskOptions { MaxAttempts = 2 } });
        pool.Start();

        var watch = Stopwatch.StartNew();
        var pastTheMinute = TimeSpan.Zero;
        var expectedRetries = 0L;
        for (var minute = 1; minute <= 24 * 60; minute++)
        {
            clock.Advance(TimeSpan.FromMinutes(1) - pastTheMinute);
            pastTheMinute = TimeSpan.Zero;
            Assert.True(await tried.WaitAsync(TestSignals.Patience), $"minute {minute} did not run");
            if (Volatile.Read(ref attempts) % 10 == 0)
            {
                var retries = ++expectedRetries;
                await TestSignals.EventuallyAsync(() => pool.GetStats().Retried == retries, () => $"{pool.GetStats().Retried} retries waiting");
                clock.Advance(backoff); // the retry waits on the pool's clock
                pastTheMinute = backoff;
                Assert.True(await tried.WaitAsync(TestSignals.Patience), $"minute {minute} was not tried again");
            }

            await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        }

        watch.Stop();
        Console.WriteLine($"a day of a one-minute schedule with retries: {watch.Elapsed.TotalMilliseconds:F0} ms");

        Assert.Equal(24 * 60 + (attempts / 10), attempts); // every tenth attempt failed and was tried again
        Assert.Equal(24 * 60, firstTries.Keys.Count(at => at.Second == 0));
        Assert.All(firstTries.Values, n => Assert.Equal(1, n));
        var schedule = Assert.Single(pool.Schedules.List());
        Assert.Equal((1440L, 0L, 0L), (schedule.Fires, schedule.LateFires, schedule.SkippedFires));
        Assert.Equal(Start.AddDays(1), schedule.LastRun);
        Assert.Equal(Start.AddDays(1).AddMinutes(1), schedule.NextRun);
        var stats = pool.GetStats();
        Assert.Equal((1440L, 1440L, 0L, (long)attempts - 1440), (stats.Submitted, stats.Succeeded, stats.Failed, stats.Retried));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"a day took {watch.Elapsed}");
    }

    [Fact]
    public async Task Skip_must_drop_occurrences_that_come_while_the_run_goes_on_and_Allow_must_run_them_beside_it()
    {
        var clock = new FakeTimeProvider(Start);
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 4, TimeProvider = clock });
        var release = TestSignals.NewGate();
        var started = new ConcurrentDictionary<string, int>();
        Func<CancellationToken, Task> Blocking(string id) => async _ =>
        {
            started.AddOrUpdate(id, 1, (_, n) => n + 1);
            await release.Task;
        };
        pool.Schedules.AddOrUpdate("skip", "* * * * *", Blocking("skip"));
        pool.Schedules.AddOrUpdate("allow", "* * * * *", Blocking("allow"), new ScheduleOptions { Overlap = OverlapPolicy.Allow });
        pool.Start();

        for (var i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        await TestSignals.EventuallyAsync(() => started.GetValueOrDefault("allow") == 3 && started.GetValueOrDefault("skip") == 1, () => string.Join(", ", started));
        release.SetResult();
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        await TestSignals.EventuallyAsync(() => !pool.Schedules.List().Any(s => s.Running), () => "a run is still counted");

        var byId = pool.Schedules.List().ToDictionary(s => s.Id);
        Assert.Equal((1L, 2L), (byId["skip"].Fires, byId["skip"].SkippedFires));
        Assert.Equal((3L, 0L), (byId["allow"].Fires, byId["allow"].SkippedFires));

        clock.Advance(TimeSpan.FromMinutes(1)); // free again: the next occurrence runs
        await TestSignals.EventuallyAsync(() => started["skip"] == 2, () => $"{started["skip"]} skip runs");
    }

    [Fact]
    public async Task Queue_must_run_an_occurrence_that_came_during_a_run_once_it_ends_and_merge_the_ones_after_it()
    {
        var clock = new FakeTimeProvider(Start);
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2, TimeProvider = clock });
        var release = TestSignals.NewGate();
        var runs = new ConcurrentQueue<DateTimeOffset>();
        pool.Schedules.AddOrUpdate("queued", "* * * * *", async _ =>
        {
            runs.Enqueue(clock.GetUtcNow());
            if (runs.Count == 1)
            {
                await release.Task;
            }
        }, new ScheduleOptions { Overlap = OverlapPolicy.Queue });
        pool.Start();

        clock.Advance(TimeSpan.FromMinutes(1));
        await TestSignals.EventuallyAsync(() => runs.Count == 1, () => $"{runs.Count} runs");
        clock.Advance(TimeSpan.FromMinutes(1)); // waits for the first
        clock.Advance(TimeSpan.FromMinutes(1)); // merged into the waiting one
        Assert.Single(runs);

        release.SetResult();
        await TestSignals.EventuallyAsync(() => runs.Count == 2, () => $"{runs.Count} runs");
        await TestSignals.EventuallyAsync(() => !pool.Schedules.List()[0].Running, () => "still running");
        var schedule = pool.Schedules.List()[0];
        Assert.Equal((2L, 1L, 1L), (schedule.Fires, schedule.LateFires, schedule.SkippedFires));
        Assert.Equal(Start.AddMinutes(2), schedule.LastRun);
    }

    [Theory]
    [InlineData(MisfirePolicy.RunOnce, 2, 118)]
    [InlineData(MisfirePolicy.Skip, 1, 119)]
    public async Task Occurrences_missed_while_the_pool_was_not_running_must_run_once_together_or_not_at_all(MisfirePolicy misfire, int runs, int skipped)
    {
        var clock = new FakeTimeProvider(Start);
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2, TimeProvider = clock });
        var ran = 0;
        pool.Schedules.AddOrUpdate("report", "* * * * *", _ =>
        {
            Interlocked.Increment(ref ran);
            return Task.CompletedTask;
        }, new ScheduleOptions { Misfire = misfire, Overlap = OverlapPolicy.Allow, MisfireThreshold = TimeSpan.Zero });

        clock.Advance(TimeSpan.FromHours(2)); // not started: nothing runs
        Assert.Equal(0, Volatile.Read(ref ran));
        pool.Start();
        await TestSignals.EventuallyAsync(() => Volatile.Read(ref ran) == runs, () => $"{ran} runs");
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        var schedule = pool.Schedules.List()[0];
        Assert.Equal((runs, runs - 1, skipped), ((int)schedule.Fires, (int)schedule.LateFires, (int)schedule.SkippedFires));
        Assert.Equal(Start.AddHours(2).AddMinutes(1), schedule.NextRun);
        Assert.Equal(runs, ran);
    }

    [Fact]
    public async Task A_named_schedule_must_run_its_handler_with_its_payload_and_TriggerNow_must_run_it_at_once_under_a_new_id()
    {
        var clock = new FakeTimeProvider(Start);
        var seen = new ConcurrentQueue<string>();
        var options = Reporting(clock, seen);
        await using var pool = new WorkerPool(options);
        pool.Schedules.AddOrUpdate("nightly-report", "0 2 * * *", "report", new Report("sales"));
        pool.Start();

        var id = await pool.Schedules.TriggerNow("nightly-report").WaitAsync(TestSignals.Patience);
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        Assert.Equal(TaskOutcome.Succeeded, pool.GetResults()[id].Outcome);
        Assert.Equal("report", pool.GetResults()[id].Handler);

        clock.Advance(TimeSpan.FromHours(2));
        await TestSignals.EventuallyAsync(() => seen.Count == 2, () => $"{seen.Count} runs");
        var schedule = Assert.Single(pool.Schedules.List());
        Assert.Equal(("nightly-report", "report", Start.AddHours(2), Start.AddDays(1).AddHours(2)), (schedule.Id, schedule.Handler, schedule.LastRun, schedule.NextRun));
        Assert.Equal(["sales", "sales"], seen);
    }

    [Fact]
    public async Task A_removed_schedule_must_not_run_again_and_an_update_must_keep_its_figures()
    {
        var clock = new FakeTimeProvider(Start);
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, TimeProvider = clock });
        var ran = 0;
        Task Count(CancellationToken _)
        {
            Interlocked.Increment(ref ran);
            return Task.CompletedTask;
        }

        pool.Schedules.AddOrUpdate("tick", "* * * * *", Count);
        pool.Start();
        clock.Advance(TimeSpan.FromMinutes(1));
        await TestSignals.EventuallyAsync(() => pool.Schedules.List()[0] is { Fires: 1, Running: false }, () => "first run");

        pool.Schedules.AddOrUpdate("tick", "0 * * * *", Count); // hourly now
        Assert.Equal((1L, Start.AddHours(1)), (pool.Schedules.List()[0].Fires, pool.Schedules.List()[0].NextRun));
        Assert.True(pool.Schedules.Remove("tick"));
        Assert.False(pool.Schedules.Remove("tick"));
        clock.Advance(TimeSpan.FromHours(3));
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal(1, ran);
        Assert.Empty(pool.Schedules.List());
    }

    [Fact]
    public async Task A_schedule_must_read_its_expression_in_its_time_zone_across_daylight_saving_changes()
    {
        // Berlin skips 02:00-03:00 on 28 March 2027: the run moves to the change itself.
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 3, 27, 12, 0, 0, TimeSpan.Zero));
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, TimeProvider = clock });
        pool.Schedules.AddOrUpdate("nightly", "30 2 * * *", _ => Task.CompletedTask, new ScheduleOptions { TimeZone = "Europe/Berlin" });
        Assert.Equal(new DateTimeOffset(2027, 3, 28, 1, 0, 0, TimeSpan.Zero), pool.Schedules.List()[0].NextRun);
        Assert.Equal("Europe/Berlin", pool.Schedules.List()[0].TimeZone);

        pool.Schedules.AddOrUpdate("utc", "30 2 * * *", _ => Task.CompletedTask);
        Assert.Equal(new DateTimeOffset(2027, 3, 28, 2, 30, 0, TimeSpan.Zero), pool.Schedules.List()[1].NextRun);
    }

    [Fact]
    public async Task Bad_schedules_must_fail_with_an_error_naming_what_is_wrong()
    {
        var options = new WorkerPoolOptions { Workers = 1 };
        options.Handlers.Add<Report, string>("report", (report, _) => Task.FromResult(report.Name));
        options.Handlers.Add<Report, string>("audit", (report, _) => Task.FromResult(report.Name));
        await using var pool = new WorkerPool(options);

        var cron = Assert.Throws<ArgumentException>(() => pool.Schedules.AddOrUpdate("bad", "61 * * * *", "report"));
        Assert.Equal(("cron", true), (cron.ParamName, cron.Message.Contains("'61 * * * *'", StringComparison.Ordinal)));

        var zone = Assert.Throws<ArgumentException>(() => pool.Schedules.AddOrUpdate("zone", "* * * * *", "report", null, new ScheduleOptions { TimeZone = "Mars/Olympus" }));
        Assert.Contains("'Mars/Olympus'", zone.Message, StringComparison.Ordinal);

        var timed = Assert.Throws<ArgumentException>(() => pool.Schedules.AddOrUpdate("timed", "* * * * *", "report", null, new ScheduleOptions { Task = new TaskOptions { NotBefore = DateTimeOffset.UtcNow } }));
        Assert.Contains("NotBefore", timed.Message, StringComparison.Ordinal);

        var handler = Assert.Throws<ArgumentException>(() => pool.Schedules.AddOrUpdate("x", "* * * * *", "nope"));
        Assert.Contains("'nope'", handler.Message, StringComparison.Ordinal);

        pool.Schedules.AddOrUpdate("nightly", "0 2 * * *", "report", new Report("a"));
        var reused = Assert.Throws<ArgumentException>(() => pool.Schedules.AddOrUpdate("nightly", "0 2 * * *", "audit", new Report("a")));
        Assert.Contains("'nightly'", reused.Message, StringComparison.Ordinal);
        Assert.Contains("'report'", reused.Message, StringComparison.Ordinal);
        Assert.Contains("'audit'", reused.Message, StringComparison.Ordinal);

        var unknown = Assert.Throws<KeyNotFoundException>(() => { _ = pool.Schedules.TriggerNow("missing"); });
        Assert.Contains("'missing'", unknown.Message, StringComparison.Ordinal);
        Assert.Single(pool.Schedules.List());
    }

    [Fact]
    public async Task GetStats_and_the_meter_must_show_the_schedules_their_next_run_and_late_runs()
    {
        var clock = new FakeTimeProvider(Start);
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, TimeProvider = clock });
        pool.Schedules.AddOrUpdate("metered", "*/5 * * * *", _ => Task.CompletedTask, new ScheduleOptions { MisfireThreshold = TimeSpan.FromHours(1) });
        pool.Schedules.AddOrUpdate("daily", "@daily", _ => Task.CompletedTask);
        Assert.Equal((2, Start.AddMinutes(5), 0L), (pool.GetStats().Schedules, pool.GetStats().NextScheduledRun, pool.GetStats().LateScheduledRuns));

        clock.Advance(TimeSpan.FromMinutes(7)); // not started: the 09:05 run will be late
        pool.Start();
        await TestSignals.EventuallyAsync(() => pool.GetStats().LateScheduledRuns == 1, () => $"{pool.GetStats().LateScheduledRuns} late runs");
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        Assert.Equal(Start.AddMinutes(10), pool.GetStats().NextScheduledRun);

        var measured = new ConcurrentDictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ActorPoolDiagnostics.MeterName && instrument.Name.StartsWith("actorpool.schedule", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var schedule = tags.ToArray().FirstOrDefault(tag => tag.Key == "actorpool.schedule").Value as string;
            if (schedule is "metered" or null)
            {
                measured[$"{instrument.Name}:{schedule}"] = value;
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(1L, measured["actorpool.schedule.runs:metered"]);
        Assert.Equal(1L, measured["actorpool.schedule.late_runs:metered"]);
        Assert.Equal(Start.AddMinutes(10).ToUnixTimeSeconds(), measured["actorpool.schedule.next_run:metered"]);
        Assert.True(measured.ContainsKey("actorpool.schedules:"));
    }

    [Fact]
    public async Task A_schedule_declared_in_the_options_must_run_its_handler_and_a_declaration_naming_no_handler_must_be_refused()
    {
        var clock = new FakeTimeProvider(Start);
        var seen = new ConcurrentQueue<string>();
        var options = Reporting(clock, seen);
        options.Schedules["hourly"] = new ScheduleDeclaration { Cron = "0 * * * *", Handler = "report", Payload = "{\"name\":\"sales\"}" };
        await using (var pool = new WorkerPool(options))
        {
            pool.Start();
            clock.Advance(TimeSpan.FromHours(1));
            await TestSignals.EventuallyAsync(() => seen.Count == 1, () => $"{seen.Count} runs");
            Assert.Equal(("hourly", "report"), (pool.Schedules.List()[0].Id, pool.Schedules.List()[0].Handler));
            Assert.Equal(["sales"], seen);
        }

        options.Schedules["hourly"].Handler = "missing";
        var noHandler = Assert.Throws<ArgumentException>(() => new WorkerPool(options));
        Assert.Contains("Schedules[hourly]", noHandler.Message, StringComparison.Ordinal);
        Assert.Contains("'missing'", noHandler.Message, StringComparison.Ordinal);

        options.Schedules["hourly"] = new ScheduleDeclaration { Cron = "0 * * * *", Handler = "report", Payload = "not json" };
        var badPayload = Assert.Throws<ArgumentException>(() => new WorkerPool(options));
        Assert.Contains("Schedules[hourly]", badPayload.Message, StringComparison.Ordinal);

        options.Schedules["hourly"] = new ScheduleDeclaration { Cron = "every hour", Handler = "report" };
        var badCron = Assert.Throws<ArgumentException>(() => new WorkerPool(options));
        Assert.Contains("'every hour'", badCron.Message, StringComparison.Ordinal);
    }

    /// <summary>A one-worker pool on <paramref name="clock"/> with a "report" handler that notes each report's name.</summary>
    private static WorkerPoolOptions Reporting(FakeTimeProvider clock, ConcurrentQueue<string> seen)
    {
        var options = new WorkerPoolOptions { Workers = 1, TimeProvider = clock };
        options.Handlers.Add<Report, string>("report", (report, _) =>
        {
            seen.Enqueue(report.Name);
            return Task.FromResult(report.Name);
        });
        return options;
    }

    internal sealed record Report(string Name);
}
