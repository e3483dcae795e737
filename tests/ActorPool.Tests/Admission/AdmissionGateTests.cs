using ActorPool.Admission;
using ActorPool.Work;

namespace ActorPool.Tests.Admission;

public sealed class AdmissionGateTests
{
    [Fact]
    public void Accepted_tasks_must_get_increasing_ids_and_reach_the_inbox()
    {
        var inbox = new Inbox();
        var gate = new AdmissionGate(new WorkerPoolOptions { QueueSize = 0 }, "p", inbox);
        var first = Item();
        var second = Item();

        Assert.Equal(AdmissionResult.Accepted, gate.TryAdmit(first, mayWait: true));
        Assert.Equal(AdmissionResult.Accepted, gate.TryAdmit(second, mayWait: true));

        Assert.True(second.Id > first.Id);
        Assert.True(inbox.TryTake(out var taken));
        Assert.Same(first, taken);
        Assert.Equal((2L, 0L), (gate.Submitted, gate.Rejected));
    }

    [Theory]
    [InlineData(OverflowPolicy.Block, true, "NeedsRoom")]
    [InlineData(OverflowPolicy.Block, false, "QueueFull")]
    [InlineData(OverflowPolicy.Reject, true, "QueueFull")]
    public void A_full_queue_must_make_a_submit_wait_or_refuse_by_policy(OverflowPolicy overflow, bool mayWait, string expectedName)
    {
        var expected = Enum.Parse<AdmissionResult>(expectedName);
        var gate = new AdmissionGate(new WorkerPoolOptions { QueueSize = 1, Overflow = overflow }, "p", new Inbox());
        Assert.Equal(AdmissionResult.Accepted, gate.TryAdmit(Item(), mayWait: true));

        Assert.Equal(expected, gate.TryAdmit(Item(), mayWait));
    }

    [Fact]
    public void A_slot_given_back_must_let_the_next_submit_in()
    {
        var gate = new AdmissionGate(new WorkerPoolOptions { QueueSize = 1, Overflow = OverflowPolicy.Reject }, "p", new Inbox());
        var first = Item();
        gate.TryAdmit(first, mayWait: true);

        gate.ReleaseSlot(first);
        gate.ReleaseSlot(first); // only once

        Assert.Equal(AdmissionResult.Accepted, gate.TryAdmit(Item(), mayWait: true));
        Assert.Equal(AdmissionResult.QueueFull, gate.TryAdmit(Item(), mayWait: true));
    }

    [Fact]
    public void Inside_one_of_the_pools_own_tasks_a_full_queue_must_never_make_a_submit_wait()
    {
        var gate = new AdmissionGate(new WorkerPoolOptions { QueueSize = 1 }, "p", new Inbox());
        gate.TryAdmit(Item(), mayWait: true);
        var outer = InsidePool.Enter(gate.Marker);
        try
        {
            var inner = Item();
            Assert.Equal(AdmissionResult.Accepted, gate.TryAdmit(inner, mayWait: true));
            Assert.False(inner.HoldsSlot);
        }
        finally
        {
            InsidePool.Exit(outer);
        }
    }

    [Fact]
    public async Task A_closed_gate_must_refuse_everything_and_count_it_and_wake_waiters()
    {
        var gate = new AdmissionGate(new WorkerPoolOptions { QueueSize = 1 }, "p", new Inbox());
        gate.TryAdmit(Item(), mayWait: true);
        var waiting = gate.AdmitWhenRoomAsync(Item(), CancellationToken.None);

        Assert.True(gate.Close());
        Assert.False(gate.Close());

        var error = await Assert.ThrowsAsync<SubmitRejectedException>(() => waiting.WaitAsync(TestSignals.Patience));
        Assert.Equal(RejectionReason.Stopped, error.Reason);
        Assert.Equal(AdmissionResult.Stopped, gate.TryAdmit(Item(), mayWait: true));
        Assert.Equal(0, gate.AdmitMany(new WorkItem[] { Item(), Item() }, out var stoppedAt, out var settled));
        Assert.Equal((AdmissionResult.Stopped, 0), (stoppedAt, settled));
        Assert.Equal((3L, 2L), (gate.Submitted, gate.Rejected)); // AdmitMany leaves counting its refusals to the caller
    }

    [Fact]
    public void A_pool_without_workers_must_refuse_every_submit_as_NoWorkers()
    {
        var gate = AdmissionGate.Refusing("p", RejectionReason.NoWorkers);

        var result = gate.TryAdmit(Item(), mayWait: true);

        Assert.Equal(AdmissionResult.NoWorkers, result);
        Assert.Equal(RejectionReason.NoWorkers, gate.Rejection(result).Reason);
        Assert.Equal((1L, 1L), (gate.Submitted, gate.Rejected));
    }

    private static SubmittedItem Item() => new(_ => Task.CompletedTask, null);
}
