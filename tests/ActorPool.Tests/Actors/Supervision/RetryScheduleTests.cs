using ActorPool.Actors.Supervision;
using ActorPool.Work;

namespace ActorPool.Tests.Actors.Supervision;

public sealed class RetryScheduleTests
{
    [Theory]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(3, 400)]
    [InlineData(10, 1000)] // capped
    public void Backoff_must_double_per_try_with_equal_jitter_and_stop_at_the_cap(int attempts, double step)
    {
        var low = new RetrySchedule(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), random: () => 0);
        var high = new RetrySchedule(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), random: () => 1);

        Assert.Equal(step / 2, low.Backoff(attempts).TotalMilliseconds, precision: 6);
        Assert.Equal(step, high.Backoff(attempts).TotalMilliseconds, precision: 6);
    }

    [Fact]
    public void A_huge_number_of_tries_must_not_overflow_the_backoff()
    {
        var schedule = new RetrySchedule(TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1), random: () => 1);

        Assert.Equal(TimeSpan.FromDays(1), schedule.Backoff(int.MaxValue));
    }

    [Fact]
    public void A_waiting_task_must_be_handed_back_once_and_a_stop_must_take_every_one()
    {
        var schedule = new RetrySchedule(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1));
        var first = new SubmittedItem(_ => Task.CompletedTask, null) { Id = 1, Attempts = 1 };
        var second = new SubmittedItem(_ => Task.CompletedTask, null) { Id = 2, Attempts = 2 };
        schedule.Add(first);
        schedule.Add(second);

        Assert.True(schedule.TryTake(1, out var due));
        Assert.Same(first, due);
        Assert.False(schedule.TryTake(1, out _));
        Assert.Same(second, Assert.Single(schedule.TakeAll()));
        Assert.Equal(0, schedule.Count);
    }
}
