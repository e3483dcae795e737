using ActorPool.Outcomes;
using ActorPool.Work;

namespace ActorPool.Tests.Outcomes;

public sealed class ResultStoreTests
{
    [Fact]
    public void The_store_must_keep_the_newest_results_across_chunk_boundaries_and_count_every_one()
    {
        var store = new ResultStore(capacity: 5000, TimeProvider.System);
        for (var id = 1; id <= 12_000; id++)
        {
            store.Add(Settled(id, id % 2 == 0 ? TaskOutcome.Succeeded : TaskOutcome.Failed), tally: null);
        }

        var results = store.Snapshot();

        Assert.Equal(5000, results.Count);
        Assert.Equal(7001, results.Keys.Min());
        Assert.Equal(12_000, results.Keys.Max());
        Assert.Equal((6000L, 6000L, 12_000L), (store.Count(TaskOutcome.Succeeded), store.Count(TaskOutcome.Failed), store.Settled));
    }

    [Fact]
    public void A_page_must_list_the_newest_matching_results_first_and_count_every_match()
    {
        var store = new ResultStore(capacity: 5000, TimeProvider.System);
        for (var id = 1; id <= 12_000; id++)
        {
            store.Add(Settled(id, id % 3 == 0 ? TaskOutcome.Failed : TaskOutcome.Succeeded), tally: null);
        }

        var first = store.Page(TaskOutcome.Failed, skip: 0, take: 3);
        var second = store.Page(TaskOutcome.Failed, skip: 3, take: 3);
        var all = store.Page(outcome: null, skip: 4998, take: 10);

        Assert.Equal([12_000L, 11_997L, 11_994L], first.Results.Select(r => r.TaskId));
        Assert.Equal([11_991L, 11_988L, 11_985L], second.Results.Select(r => r.TaskId));
        Assert.All(first.Results, r => Assert.Equal(TaskOutcome.Failed, r.Outcome));
        Assert.Equal(1667, first.Matched); // only retained results count: multiples of 3 in 7001..12000
        Assert.Equal([7002L, 7001L], all.Results.Select(r => r.TaskId));
        Assert.Equal(5000, all.Matched);
    }

    [Fact]
    public void Stats_and_a_lookup_by_id_must_not_copy_every_retained_result()
    {
        // A console polls stats every second and opens tasks by id on a pool keeping 100,000
        // results: a copy of every slot (about 10 MB on the large object heap) per call grew a
        // server's working set by hundreds of megabytes.
        var store = new ResultStore(capacity: 100_000, TimeProvider.System);
        for (var id = 1; id <= 100_000; id++)
        {
            store.Add(Settled(id, TaskOutcome.Failed), tally: null);
        }

        _ = store.AddTo(new PoolStats()); // JIT and first-use allocations out of the way
        _ = store.Find(50_000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var stats = store.AddTo(new PoolStats());
        var found = store.Find(1); // the oldest: the whole ring is walked
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(100_000, stats.Failed);
        Assert.Equal(1, found?.Result.TaskId);
        Assert.True(allocated < 1_000_000, $"stats and one lookup allocated {allocated:N0} bytes with 100,000 results retained");
    }

    [Fact]
    public void A_store_of_capacity_zero_must_count_but_keep_nothing()
    {
        var store = new ResultStore(capacity: 0, TimeProvider.System);
        store.Add(Settled(1, TaskOutcome.Cancelled), tally: null);

        Assert.Empty(store.Snapshot());
        Assert.Equal(1, store.AddTo(new PoolStats()).Cancelled);
    }

    [Fact]
    public void Run_times_must_count_only_outcomes_that_ended_a_run()
    {
        var clock = new ManualClock();
        var store = new ResultStore(capacity: 200, clock);
        var tally = store.CreateTally();
        for (var ms = 1; ms <= 100; ms++)
        {
            store.Add(Ran(ms, clock, TimeSpan.FromMilliseconds(ms)), tally);
        }

        store.Add(Settled(1000, TaskOutcome.Dropped, clock), tally: null); // never ran: no run time

        store.RetireTally(tally); // a worker that leaves keeps its counts in the books
        var stats = store.AddTo(new PoolStats());
        Assert.Equal((100L, 1L), (stats.Succeeded, stats.Dropped));
        Assert.Equal(TimeSpan.FromMilliseconds(50.5), stats.MeanDuration);
        Assert.Equal(TimeSpan.FromMilliseconds(99), stats.P99Duration);
        Assert.Equal((TimeSpan.Zero, 0), (store.Snapshot()[1000].Duration, store.Snapshot()[1000].Attempts));
    }

    [Fact]
    public async Task A_snapshot_taken_while_writers_lap_the_ring_must_hold_only_whole_results()
    {
        var store = new ResultStore(capacity: 64, TimeProvider.System); // small: writers overwrite slots while the reader copies them
        var writing = 0;
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            for (var id = (w * 1_000_000) + 1; id <= (w * 1_000_000) + 200_000; id++)
            {
                var item = Settled(id, id % 2 == 0 ? TaskOutcome.Succeeded : TaskOutcome.Failed);
                item.Attempts = id % 7;
                store.Add(item, tally: null);
            }

            Interlocked.Increment(ref writing);
        })).ToArray();

        var snapshots = 0;
        while (Volatile.Read(ref writing) < 2)
        {
            foreach (var (id, result) in store.Snapshot())
            {
                // Every field of a copy must come from the same outcome.
                Assert.Equal(id, result.TaskId);
                Assert.Equal((id % 2 == 0 ? TaskOutcome.Succeeded : TaskOutcome.Failed, (int)(id % 7)), (result.Outcome, result.Attempts));
            }

            snapshots++;
        }

        await Task.WhenAll(writers);
        Assert.True(snapshots > 0);
        Assert.Equal(64, store.Snapshot().Count);
        Assert.Equal(400_000, store.Settled);
    }

    private static SubmittedItem Settled(long id, TaskOutcome outcome, TimeProvider? time = null)
    {
        var item = new SubmittedItem(_ => Task.CompletedTask, null) { Id = id };
        Assert.True(item.TryMove(ItemState.Inbox, ItemState.Queued));
        Assert.True(item.TryBeginSettle(ItemState.Queued));
        item.Publish(outcome, null, (time ?? TimeProvider.System).GetTimestamp(), ran: false);
        return item;
    }

    private static SubmittedItem Ran(long id, ManualClock clock, TimeSpan took)
    {
        var item = new SubmittedItem(_ => Task.CompletedTask, null) { Id = id, Attempts = 1, StartTimestamp = clock.GetTimestamp() };
        Assert.True(item.TryMove(ItemState.Inbox, ItemState.Running));
        clock.Advance(took);
        Assert.True(item.TryBeginSettle(ItemState.Running));
        item.Publish(TaskOutcome.Succeeded, null, clock.GetTimestamp(), ran: true);
        return item;
    }
}
