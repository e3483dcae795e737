using ActorPool.Actors.Supervision;
using ActorPool.Work;
using CsCheck;

namespace ActorPool.Tests.Actors.Supervision;

public sealed class SettlementLedgerTests
{
    [Fact]
    public void A_settlement_must_be_counted_once_however_often_it_is_reported()
    {
        var ledger = new SettlementLedger();
        var item = Item(1);
        ledger.Accept(item);
        var released = new List<TaskCompletionSource>();

        Assert.True(ledger.Count(item, released));
        Assert.False(ledger.Count(item, released));
        Assert.Equal((1, 1, 0), (ledger.Accepted, ledger.Settled, ledger.Outstanding));
    }

    [Fact]
    public void A_waiter_must_wait_for_every_id_up_to_its_own_and_no_later_one()
    {
        var ledger = new SettlementLedger();
        var items = Enumerable.Range(1, 4).Select(i => Item(i)).ToArray();
        foreach (var item in items)
        {
            ledger.Accept(item);
        }

        var waiter = new TaskCompletionSource();
        var released = new List<TaskCompletionSource>();
        Assert.True(ledger.AddWaiter(lastId: 3, waiter));

        ledger.Count(items[2], released);
        ledger.Count(items[0], released);
        Assert.Empty(released);
        ledger.Withdrawn(5, released); // a later id, withdrawn by its submitter, does not matter
        Assert.Empty(released);
        ledger.Count(items[1], released);

        Assert.Same(waiter, Assert.Single(released));
    }

    [Fact]
    public void A_waiter_whose_ids_are_all_done_must_be_told_to_complete_at_once()
    {
        var ledger = new SettlementLedger();
        var released = new List<TaskCompletionSource>();
        ledger.Withdrawn(1, released);

        Assert.False(ledger.AddWaiter(lastId: 1, new TaskCompletionSource()));
        Assert.False(ledger.AddWaiter(lastId: 0, new TaskCompletionSource()));
        Assert.True(ledger.AddWaiter(lastId: 2, new TaskCompletionSource()));
    }

    /// <summary>Ids done in any order, far apart or close: a waiter is released exactly when every id up to its own is done.</summary>
    [Fact]
    public void Waiters_must_be_released_exactly_when_every_id_up_to_theirs_is_done_in_any_order()
    {
        Gen.Int[1, 20_000].SelectMany(count => Gen.Shuffle(Enumerable.Range(1, count).ToArray()).Select(order => (count, order)))
            .Sample(
                sample =>
                {
                    var (count, order) = sample;
                    var ledger = new SettlementLedger();
                    var released = new List<TaskCompletionSource>();
                    var waiters = new[] { 1, count / 3, count / 2, count }.Distinct().Where(id => id > 0)
                        .ToDictionary(id => id, _ => new TaskCompletionSource());
                    foreach (var (id, waiter) in waiters)
                    {
                        Assert.True(ledger.AddWaiter(id, waiter));
                    }

                    var done = new bool[count + 1];
                    var low = 1;
                    foreach (var id in order)
                    {
                        var item = Item(id);
                        ledger.Accept(item);
                        ledger.Count(item, released);
                        done[id] = true;
                        while (low <= count && done[low])
                        {
                            low++;
                        }

                        foreach (var (lastId, waiter) in waiters)
                        {
                            Assert.Equal(lastId < low, released.Contains(waiter));
                        }
                    }

                    Assert.Equal(waiters.Count, released.Count);
                },
                iter: 40);
    }

    private static SubmittedItem Item(long id) => new(_ => Task.CompletedTask, options: null) { Id = id };
}
