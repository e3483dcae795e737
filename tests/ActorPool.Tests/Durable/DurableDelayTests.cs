using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace ActorPool.Tests.Durable;

/// <summary>Delayed tasks on a durable pool: their time is journaled with them, so a crash or a stop loses none and runs none early or twice.</summary>
public sealed class DurableDelayTests : DurableJournalTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly ConcurrentQueue<(string Text, DateTimeOffset At)> _runs = new();

    [Fact]
    public async Task A_delayed_task_must_survive_a_crash_and_run_once_at_its_time_or_at_once_if_the_process_was_down_then()
    {
        var clock = new FakeTimeProvider(Start);
        var crashing = Pool(Noted(clock));
        crashing.Start();
        await crashing.SubmitAsync("note", new Echo("on time"), new TaskOptions { Delay = TimeSpan.FromMinutes(10) });
        await crashing.SubmitAsync("note", new Echo("late"), new TaskOptions { NotBefore = Start.AddMinutes(5) });
        await TestSignals.EventuallyAsync(() => crashing.GetStats().Delayed == 2, () => $"{crashing.GetStats().Delayed} delayed");
        await crashing.CrashAsync();

        clock.Advance(TimeSpan.FromMinutes(7)); // down when the second one was due
        await using var next = Pool(Noted(clock));
        next.Start();
        await TestSignals.EventuallyAsync(() => _runs.Count == 1, () => $"{_runs.Count} runs after the restart");
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Single(_runs); // the other's time is still a minute away
        clock.Advance(TimeSpan.FromMinutes(1));
        await next.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal([("late", Start.AddMinutes(7)), ("on time", Start.AddMinutes(10))], _runs.ToArray());
        var stats = next.GetStats();
        Assert.Equal((2L, 2L, 0), (stats.Resumed, stats.Succeeded, stats.Delayed));
    }

    [Fact]
    public async Task A_stop_must_leave_a_delayed_task_in_the_journal_for_the_next_pool_to_run_at_its_time()
    {
        var clock = new FakeTimeProvider(Start);
        var first = Pool(Noted(clock));
        first.Start();
        await first.SubmitAsync("note", new Echo("tomorrow"), new TaskOptions { NotBefore = Start.AddDays(1) });
        await first.StopAsync().WaitAsync(TestSignals.Patience); // does not wait a day
        await first.DisposeAsync();

        await using var next = Pool(Noted(clock));
        next.Start();
        await TestSignals.EventuallyAsync(() => next.GetStats().Delayed == 1, () => $"{next.GetStats().Delayed} delayed after the restart");
        Assert.Empty(_runs);
        clock.Advance(TimeSpan.FromDays(1));
        await next.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal([("tomorrow", Start.AddDays(1))], _runs.ToArray());
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
