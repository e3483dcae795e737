using ActorPool.Actors.Supervision;
using ActorPool.Work;
using Akka.Actor;

namespace ActorPool.Tests.Actors.Supervision;

public sealed class WorkerRosterTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("roster-tests");

    [Fact]
    public void Idle_workers_must_be_taken_in_the_order_they_came_free()
    {
        var roster = new WorkerRoster(target: 3);
        var (a, b, c) = (Join(roster), Join(roster), Join(roster));
        roster.Free(b);
        roster.Free(a);
        roster.Free(c);
        roster.Free(a); // twice free is still one place in line

        Assert.Equal([b, a, c], TakeAllIdle(roster));
    }

    [Fact]
    public void A_busy_worker_must_not_be_idle_until_its_batch_is_released()
    {
        var roster = new WorkerRoster(target: 1);
        var worker = Join(roster);
        roster.Assign(worker, [Item(1)]);
        Assert.False(roster.Free(worker));
        Assert.False(roster.TryTakeIdle(out _));
        Assert.Equal(1, roster.Busy);

        Assert.Single(roster.Release(worker)!);
        roster.Free(worker);

        Assert.True(roster.TryTakeIdle(out var idle));
        Assert.Same(worker, idle);
        Assert.Equal(0, roster.Busy);
    }

    [Fact]
    public void A_shrink_must_retire_idle_workers_first_then_busy_ones_once_done_and_owe_the_rest()
    {
        var roster = new WorkerRoster(target: 3);
        var idle = Join(roster);
        var busy = Join(roster);
        roster.Free(idle);
        roster.Assign(busy, [Item(1)]);
        var retire = new List<WorkerSlot>();

        var grow = roster.Resize(workers: 0, retire);

        Assert.Equal(0, grow);
        Assert.Same(idle, Assert.Single(retire)); // out of the router now
        Assert.True(busy.Retiring);               // leaves when its batch ends
        roster.Release(busy);
        Assert.True(roster.Free(busy));
        var late = Join(roster);                   // the third worker announces itself late
        Assert.True(roster.Free(late));            // and is owed a retirement
        Assert.Equal(0, roster.Target);
    }

    [Fact]
    public void Growing_must_first_cancel_owed_retirements()
    {
        var roster = new WorkerRoster(target: 4);
        var retire = new List<WorkerSlot>();
        roster.Resize(workers: 1, retire); // no worker announced yet: three retirements owed

        Assert.Equal(0, roster.Resize(workers: 3, retire));
        Assert.Equal(2, roster.Resize(workers: 6, retire));
        Assert.Equal(6, roster.Target);
    }

    [Fact]
    public void A_worker_that_stops_unasked_must_take_the_target_down_with_it_and_hand_back_its_tasks()
    {
        var roster = new WorkerRoster(target: 2);
        var worker = Join(roster);
        roster.Assign(worker, [Item(1), Item(2)]);

        var held = roster.Leave(worker.Ref, out var expected);

        Assert.False(expected);
        Assert.Equal(2, held!.Length);
        Assert.Equal(1, roster.Target);
        Assert.False(roster.TryGet(worker.Ref, out _));
    }

    [Fact]
    public void Behind_a_running_task_every_waiting_one_may_be_taken_half_at_a_time()
    {
        var roster = new WorkerRoster(target: 2);
        var victim = Join(roster);
        var batch = Enumerable.Range(1, 9).Select(i => Item(i)).ToArray();
        roster.Assign(victim, batch);
        Claim(batch[0], victim.Number);            // stuck in its first task: 8 wait behind it

        var stolen = roster.FindStealable()!;

        Assert.Equal(batch[5..], stolen);          // the later half
        var thief = Join(roster);
        roster.Assign(thief, stolen);
        Assert.Equal(batch[3..5], roster.FindStealable()); // half of what is left with the victim
    }

    [Fact]
    public void A_worker_between_tasks_must_keep_the_task_it_is_about_to_start()
    {
        var roster = new WorkerRoster(target: 1);
        var worker = Join(roster);
        var batch = new[] { Item(1), Item(2) };
        roster.Assign(worker, batch);

        var stolen = roster.FindStealable()!;      // nothing runs: the first waiting one is next anyway

        Assert.Equal([batch[1]], stolen);
        roster.Assign(Join(roster), stolen);
        Assert.Null(roster.FindStealable());
    }

    public void Dispose() => _system.Dispose();

    private WorkerSlot Join(WorkerRoster roster) =>
        roster.Join(_system.ActorOf(Props.Empty), out _);

    private static List<WorkerSlot> TakeAllIdle(WorkerRoster roster)
    {
        var taken = new List<WorkerSlot>();
        while (roster.TryTakeIdle(out var slot))
        {
            taken.Add(slot);
        }

        return taken;
    }

    private static SubmittedItem Item(long id)
    {
        var item = new SubmittedItem(_ => Task.CompletedTask, null) { Id = id };
        Assert.True(item.TryMove(ItemState.Inbox, ItemState.Queued));
        return item;
    }

    private static void Claim(WorkItem item, int worker)
    {
        Assert.True(item.TryMove(ItemState.Queued, ItemState.Running));
        item.RunBy = worker;
    }
}
