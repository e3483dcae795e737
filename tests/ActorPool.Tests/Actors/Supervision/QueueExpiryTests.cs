using ActorPool.Actors.Supervision;
using ActorPool.Work;

namespace ActorPool.Tests.Actors.Supervision;

public sealed class QueueExpiryTests
{
    [Fact]
    public void Deadlines_must_come_due_earliest_first_and_only_once_passed()
    {
        var clock = new ManualClock();
        var expiry = new QueueExpiry(clock);
        var slow = Item(1);
        var fast = Item(2);
        expiry.Add(slow, TimeSpan.FromSeconds(2), since: clock.GetTimestamp());
        expiry.Add(fast, TimeSpan.FromSeconds(1), since: clock.GetTimestamp());
        var expired = new List<WorkItem>();

        Assert.Equal(TimeSpan.FromSeconds(1), expiry.NextDue());
        clock.Advance(TimeSpan.FromMilliseconds(999));
        expiry.TakeExpired(expired);
        Assert.Empty(expired);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        expiry.TakeExpired(expired);
        Assert.Same(fast, Assert.Single(expired));
        Assert.Equal(TimeSpan.FromSeconds(1), expiry.NextDue());

        clock.Advance(TimeSpan.FromSeconds(5));
        expiry.TakeExpired(expired);
        Assert.Equal([fast, slow], expired);
        Assert.Null(expiry.NextDue());
    }

    private static SubmittedItem Item(long id) => new(_ => Task.CompletedTask, null) { Id = id };
}
