using ActorPool.Actors.Supervision;

namespace ActorPool.Tests.Actors.Supervision;

public sealed class ResizeDecisionTests
{
    private readonly ResizeDecision _resizer = new(new ResizerOptions { LowerBound = 1, UpperBound = 10 });

    [Fact]
    public void Tasks_waiting_while_every_worker_is_busy_must_add_one_worker_each_at_most_doubling()
    {
        Assert.Equal(5, _resizer.Look(target: 3, queued: 2, idleWorkers: 0));
        Assert.Equal(6, _resizer.Look(target: 3, queued: 50, idleWorkers: 0));
        Assert.Equal(10, _resizer.Look(target: 8, queued: 50, idleWorkers: 0));
        Assert.Null(_resizer.Look(target: 10, queued: 50, idleWorkers: 0));
    }

    [Fact]
    public void Idle_workers_must_be_retired_one_at_a_time_after_two_idle_looks_in_a_row()
    {
        Assert.Null(_resizer.Look(target: 4, queued: 0, idleWorkers: 2));
        Assert.Equal(3, _resizer.Look(target: 4, queued: 0, idleWorkers: 2));
        Assert.Equal(2, _resizer.Look(target: 3, queued: 0, idleWorkers: 1));
        Assert.Null(_resizer.Look(target: 2, queued: 1, idleWorkers: 1)); // work came: not idle
        Assert.Null(_resizer.Look(target: 2, queued: 0, idleWorkers: 1));
    }

    [Fact]
    public void The_lower_bound_must_never_be_crossed()
    {
        _resizer.Look(target: 1, queued: 0, idleWorkers: 1);

        Assert.Null(_resizer.Look(target: 1, queued: 0, idleWorkers: 1));
    }
}
