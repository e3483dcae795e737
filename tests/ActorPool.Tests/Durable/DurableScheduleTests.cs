using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace ActorPool.Tests.Durable;

/// <summary>
/// Recurring tasks on a durable pool: the schedule and the newest occurrence that ran are journaled
/// (the occurrence in the same write as its task), so a crash neither repeats nor loses one: what
/// fell due while the process was down runs late after the restart.
/// </summary>
public sealed class DurableScheduleTests : DurableJournalTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly ConcurrentQueue<(string Text, DateTimeOffset At)> _runs = new();

    [Fact]
    public async Task A_schedule_must_come_back_after_a_crash_and_run_each_occurrence_it_missed_once_late()
    {
        var clock = new FakeTimeProvider(Start);
        var crashing = Pool(Noted(clock));
        crashing.Schedules.AddOrUpdate("every-minute", "* * * * *", "note", new Echo("tick"), new ScheduleOptions { Overlap = OverlapPolicy.Allow, MisfireThreshold = TimeSpan.FromMinutes(10) });
        crashing.Start();
        await crashing.WaitAsync().WaitAsync(TestSignals.Patience); // the journal and the schedules are read back: the clock may move
        for (var minute = 1; minute <= 3; minute++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            await crashing.WaitAsync().WaitAsync(TestSignals.Patience);
        }

        Assert.Equal(3, _runs.Count);
        await crashing.CrashAsync();

        clock.Advance(TimeSpan.FromMinutes(3)); // down at 09:04, 09:05 and 09:06
        await using var next = Pool(Noted(clock)); // the schedule is not added again: the journal has it
        next.Start();
        await TestSignals.EventuallyAsync(() => _runs.Count == 6, () => $"{_runs.Count} runs after the restart");
        await next.WaitAsync().WaitAsync(TestSignals.Patience);

        var schedule = Assert.Single(next.Schedules.List());
        Assert.Equal(("every-minute", "note", Start.AddMinutes(6), Start.AddMinutes(7)), (schedule.Id, schedule.Handler, schedule.LastRun, schedule.NextRun));
        Assert.Equal((3L, 2L, 0L), (schedule.Fires, schedule.LateFires, schedule.SkippedFires));

        clock.Advance(TimeSpan.FromMinutes(1));
        await TestSignals.EventuallyAsync(() => _runs.Count == 7, () => $"{_runs.Count} runs");
        await next.WaitAsync().WaitAsync(TestSignals.Patience);
        Assert.Equal((4L, 4L), (next.GetStats().Submitted, next.GetStats().Succeeded)); // three late, one on time
    }

    [Fact]
    public async Task An_occurrence_whose_task_was_journaled_before_a_crash_must_not_be_submitted_again()
    {
        var clock = new FakeTimeProvider(Start);
        var hold = TestSignals.NewGate();
        var crashing = Pool(Noted(clock), options => options.Handlers.Add<Echo, string>("hold", async (echo, ct) =>
        {
            _runs.Enqueue((echo.Text, clock.GetUtcNow()));
            if (_runs.Count > 1)
            {
                await hold.Task.WaitAsync(ct);
            }

            return echo.Text;
        }));
        crashing.Schedules.AddOrUpdate("hourly", "0 * * * *", "hold", new Echo("report"));
        crashing.Start();
        await crashing.WaitAsync().WaitAsync(TestSignals.Patience); // the journal and the schedules are read back: the clock may move
        clock.Advance(TimeSpan.FromHours(1));
        await crashing.WaitAsync().WaitAsync(TestSignals.Patience); // 10:00 ran
        clock.Advance(TimeSpan.FromHours(1));
        await TestSignals.EventuallyAsync(() => _runs.Count == 2, () => $"{_runs.Count} runs");
        await crashing.CrashAsync(); // while its 11:00 run runs

        hold.SetResult();
        await using var next = Pool(Noted(clock), options => options.Handlers.Add<Echo, string>("hold", (echo, _) =>
        {
            _runs.Enqueue((echo.Text, clock.GetUtcNow()));
            return Task.FromResult(echo.Text);
        }));
        next.Start();
        await TestSignals.EventuallyAsync(() => next.GetStats().Succeeded == 1, () => $"{next.GetStats().Succeeded} succeeded");
        await next.WaitAsync().WaitAsync(TestSignals.Patience);

        // The unfinished task ran again, as every durable task does after a crash; the schedule did not add a second one.
        var stats = next.GetStats();
        Assert.Equal((1L, 0L), (stats.Resumed, stats.Submitted));
        var schedule = Assert.Single(next.Schedules.List());
        Assert.Equal((0L, Start.AddHours(2), Start.AddHours(3)), (schedule.Fires, schedule.LastRun, schedule.NextRun));
    }

    [Fact]
    public async Task A_removed_schedule_must_stay_removed_after_a_restart_and_closures_must_be_refused()
    {
        var clock = new FakeTimeProvider(Start);
        var first = Pool(Noted(clock));
        first.Schedules.AddOrUpdate("kept", "0 2 * * *", "note", new Echo("kept"));
        first.Schedules.AddOrUpdate("gone", "0 3 * * *", "note", new Echo("gone"));
        first.Start();
        Assert.True(first.Schedules.Remove("gone"));
        var closure = Assert.Throws<NotSupportedException>(() => first.Schedules.AddOrUpdate("local", "* * * * *", _ => Task.CompletedTask));
        Assert.Contains("'local'", closure.Message, StringComparison.Ordinal);
        await first.StopAsync().WaitAsync(TestSignals.Patience);
        await first.DisposeAsync();

        await using var next = Pool(Noted(clock));
        next.Start();
        await TestSignals.EventuallyAsync(() => next.Schedules.Count == 1, () => $"{next.Schedules.Count} schedules read back");
        var kept = Assert.Single(next.Schedules.List());
        Assert.Equal(("kept", new DateTimeOffset(2026, 12, 2, 2, 0, 0, TimeSpan.Zero)), (kept.Id, kept.NextRun));
    }

    private Action<WorkerPoolOptions> Noted(FakeTimeProvider clock) => options =>
    {
        options.TimeProvider = clock;
        options.Handlers.Add<Echo, string>("note", (echo, _) =>
        {
            _runs.Enqueue((echo.Text, clock.GetUtcNow()));
            return Task.FromResult(echo.Text);
        });
    };
}
