using ActorPool.Actors.Supervision;

namespace ActorPool.Tests.Actors.Supervision;

public sealed class StopStateTests
{
    [Fact]
    public void A_stop_must_finish_only_once_asked_for_and_with_nothing_left_and_only_once()
    {
        var stop = new StopState();
        Assert.False(stop.CanFinish(outstanding: 0, queued: 0, retrying: 0));

        var first = new TaskCompletionSource();
        stop.Request(first);
        Assert.False(stop.CanFinish(outstanding: 1, queued: 0, retrying: 0));
        Assert.False(stop.CanFinish(outstanding: 0, queued: 0, retrying: 1));
        Assert.True(stop.CanFinish(outstanding: 0, queued: 0, retrying: 0));

        Assert.Same(first, Assert.Single(stop.Finish()));
        Assert.True(stop.Finished);
        Assert.False(stop.CanFinish(outstanding: 0, queued: 0, retrying: 0));
    }

    [Fact]
    public void The_first_cancellation_reason_must_stand()
    {
        var stop = new StopState();
        Assert.False(stop.Cancelling);

        stop.Cancel("start token");
        stop.Cancel("deadline");

        Assert.True(stop.Cancelling);
        Assert.Equal("start token", stop.CancelReason);
    }
}
