using ActorPool.Actors.Supervision;

namespace ActorPool.Tests.Actors.Supervision;

public sealed class BatchSizerTests
{
    [Fact]
    public void Before_any_run_is_seen_tasks_must_go_one_by_one()
    {
        var sizer = new BatchSizer();

        Assert.Equal(1, sizer.Next(queued: 1000, otherIdle: 0, decidePerStart: false));
    }

    [Fact]
    public void Tiny_tasks_must_be_shared_among_the_idle_workers_up_to_the_batch_limit()
    {
        var sizer = new BatchSizer(maxBatch: 32);
        sizer.Observe(runs: 1000, ticks: 1000); // 0.1 µs each

        Assert.Equal(32, sizer.Next(queued: 1000, otherIdle: 0, decidePerStart: false));
        Assert.Equal(32, sizer.Next(queued: 64, otherIdle: 1, decidePerStart: false));
        Assert.Equal(5, sizer.Next(queued: 10, otherIdle: 1, decidePerStart: false));
        Assert.Equal(1, sizer.Next(queued: 1, otherIdle: 3, decidePerStart: false));
    }

    [Fact]
    public void Tasks_that_need_a_decision_per_start_or_run_long_must_go_one_by_one()
    {
        var sizer = new BatchSizer(tinyTask: TimeSpan.FromMilliseconds(0.1));
        sizer.Observe(runs: 100, ticks: 100);
        Assert.Equal(1, sizer.Next(queued: 1000, otherIdle: 0, decidePerStart: true));

        sizer.Observe(runs: 50, ticks: 50 * TimeSpan.TicksPerMillisecond);
        Assert.Equal(1, sizer.Next(queued: 1000, otherIdle: 0, decidePerStart: false));
    }

    [Fact]
    public void A_batch_of_runs_must_move_the_average_like_the_same_runs_one_by_one()
    {
        var batched = new BatchSizer();
        var single = new BatchSizer();

        batched.Observe(runs: 20, ticks: 20 * 500);
        for (var i = 0; i < 20; i++)
        {
            single.Observe(runs: 1, ticks: 500);
        }

        Assert.Equal(single.MeanRunTicks, batched.MeanRunTicks, precision: 6);
    }
}
