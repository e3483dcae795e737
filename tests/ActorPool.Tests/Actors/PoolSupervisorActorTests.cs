using ActorPool.Actors;
using ActorPool.Messages;
using Akka.Actor;
using Akka.Routing;

namespace ActorPool.Tests.Actors;

public sealed class PoolSupervisorActorTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task A_worker_must_hold_at_most_one_task_and_pull_the_next_when_it_reports()
    {
        var probe = CreateTestProbe();
        var options = new WorkerPoolOptions { Workers = 1 };
        using var poolCts = new CancellationTokenSource();
        var store = new ResultStore(100);
        var supervisor = Sys.ActorOf(PoolSupervisorActor.Props(options, poolCts, room: null, store, new PoolCounters(), self => RelayWorker.Props(self, probe.Ref)));
        supervisor.Tell(StartPool.Instance);

        long[] ids = [11, 12, 13];
        foreach (var id in ids)
        {
            supervisor.Tell(new SubmitTask(id, new WorkItem(_ => Task.CompletedTask, Options: null, Completion: null, CallerToken: default), HoldsSlot: false));
        }

        var first = await probe.ExpectMsgAsync<RunTask>();
        var worker = probe.LastSender;
        Assert.Equal(ids[0], first.TaskId);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        supervisor.Tell(new TaskFinished(Succeeded(first.TaskId), WorkerFree: true), worker);
        var second = await probe.ExpectMsgAsync<RunTask>();
        Assert.Equal(ids[1], second.TaskId);

        await AwaitAssertAsync(() => Assert.Equal(TaskOutcome.Succeeded, store.Snapshot()[ids[0]].Outcome));
        Assert.Single(store.Snapshot());
    }

    [Fact]
    public async Task With_priority_every_worker_must_be_handed_the_highest_waiting_task_in_submission_order()
    {
        // Dispatch order is observed exactly here: a worker reports, exactly one task goes out.
        var probe = CreateTestProbe();
        var options = new WorkerPoolOptions { Workers = 3, EnablePriority = true };
        using var poolCts = new CancellationTokenSource();
        var supervisor = Sys.ActorOf(PoolSupervisorActor.Props(options, poolCts, room: null, new ResultStore(100), new PoolCounters(), self => RelayWorker.Props(self, probe.Ref)));
        for (var id = 1L; id <= 30; id++)
        {
            var priority = id % 3 == 1 ? 100 : 0;
            supervisor.Tell(new SubmitTask(id, new WorkItem(_ => Task.CompletedTask, new TaskOptions { Priority = priority }, Completion: null, CallerToken: default), HoldsSlot: false));
        }

        var expected = Enumerable.Range(1, 30).Select(i => (long)i).OrderBy(id => id % 3 == 1 ? 0 : 1).ThenBy(id => id).ToList();
        supervisor.Tell(StartPool.Instance);
        var first = new List<(RunTask Run, IActorRef Worker)>();
        for (var i = 0; i < 3; i++)
        {
            first.Add((await probe.ExpectMsgAsync<RunTask>(), probe.LastSender));
        }

        Assert.Equal(expected.Take(3), first.Select(f => f.Run.TaskId).Order());
        var worker = first[0].Worker;
        var finished = first[0].Run.TaskId;
        var handedOut = first.Count;
        foreach (var next in expected.Skip(3))
        {
            supervisor.Tell(new TaskFinished(Succeeded(finished), WorkerFree: true), worker);
            var run = await probe.ExpectMsgAsync<RunTask>();
            Assert.Equal(next, run.TaskId);
            (worker, finished) = (probe.LastSender, run.TaskId);
            handedOut++;
        }

        Assert.Equal(30, handedOut);
    }

    [Fact]
    public async Task A_faulted_worker_must_be_restarted_alone_and_the_pool_must_keep_its_worker_count()
    {
        await using var pool = WorkerPool.Create(Sys, new WorkerPoolOptions { Workers = 2 }, "restarts");
        pool.Start();
        var release = TestSignals.NewGate();
        var started = 0;
        var bothStarted = TestSignals.NewGate();
        Task<int> Blocked() => pool.RunAsync(async _ =>
        {
            if (Interlocked.Increment(ref started) == 2)
            {
                bothStarted.TrySetResult();
            }

            await release.Task;
            return 1;
        });
        var runs = new[] { Blocked(), Blocked() };
        await bothStarted.WaitAsync();
        var state = await pool.GetStateAsync();
        var routees = (await state.Router.Ask<Routees>(GetRoutees.Instance, TestSignals.Patience)).Members.ToArray();

        ((ActorRefRoutee)routees[0]).Actor.Tell(Kill.Instance);

        var killed = await Assert.ThrowsAsync<ActorKilledException>(() => Task.WhenAny(runs).Unwrap());
        Assert.NotNull(killed);
        await AwaitAssertAsync(async () => Assert.Equal(1, (await pool.GetStateAsync()).WorkerRestarts));
        var survivor = runs.Single(r => !r.IsCompleted);
        release.TrySetResult();
        Assert.Equal(1, await survivor);
        var after = await pool.GetStateAsync();
        Assert.Equal(2, after.Workers);
        var routeesAfter = await state.Router.Ask<Routees>(GetRoutees.Instance, TestSignals.Patience);
        Assert.Equal(2, routeesAfter.Members.Count());

        // Both workers take work again: two tasks that wait for each other can only finish together.
        var arrived = 0;
        var bothHere = TestSignals.NewGate();
        var pair = Enumerable.Range(0, 2).Select(_ => pool.RunAsync(async _ =>
        {
            if (Interlocked.Increment(ref arrived) == 2)
            {
                bothHere.TrySetResult();
            }

            await bothHere.WaitAsync();
            return true;
        }));
        Assert.All(await Task.WhenAll(pair), Assert.True);
    }

    [Fact]
    public async Task An_embedded_pool_must_stop_without_stopping_its_actor_system()
    {
        var pool = WorkerPool.Create(Sys, new WorkerPoolOptions { Workers = 2 }, "embedded");
        pool.Start();
        var id = await pool.SubmitAsync(_ => Task.CompletedTask);

        await pool.StopAsync();

        Assert.Equal(TaskOutcome.Succeeded, pool.GetResults()[id].Outcome);
        Assert.False(Sys.WhenTerminated.IsCompleted);
        var probe = CreateTestProbe();
        probe.Watch(pool.Supervisor);
        await probe.ExpectTerminatedAsync(pool.Supervisor);
        var again = WorkerPool.Create(Sys, new WorkerPoolOptions { Workers = 1 }, "embedded-2");
        again.Start();
        Assert.Equal(7, await again.RunAsync(_ => Task.FromResult(7)));
        await again.StopAsync();
    }

    [Fact]
    public async Task The_host_systems_coordinated_shutdown_must_drain_an_embedded_pool()
    {
        var system = ActorSystem.Create("host", "akka.coordinated-shutdown.run-by-clr-shutdown-hook = off");
        var pool = WorkerPool.Create(system, new WorkerPoolOptions { Workers = 2 }, "drained");
        pool.Start();
        var release = TestSignals.NewGate();
        var ids = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await pool.SubmitAsync(async _ => await release.Task));
        }

        var shutdown = CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        await AwaitAssertAsync(async () =>
        {
            var error = await Assert.ThrowsAsync<SubmitRejectedException>(() => pool.SubmitAsync(_ => Task.CompletedTask));
            Assert.Equal(RejectionReason.Stopped, error.Reason);
        });
        Assert.False(shutdown.IsCompleted, "the system shut down while pool tasks were still running");
        release.TrySetResult();
        await shutdown.WaitAsync(TestSignals.Patience);

        var results = pool.GetResults();
        Assert.All(ids, id => Assert.Equal(TaskOutcome.Succeeded, results[id].Outcome));
        await pool.StopAsync().WaitAsync(TestSignals.Patience);
    }

    [Fact]
    public void Pool_names_must_be_unique_within_a_system()
    {
        var first = WorkerPool.Create(Sys, new WorkerPoolOptions { Workers = 1 }, "twin");

        Assert.Throws<InvalidActorNameException>(() => WorkerPool.Create(Sys, new WorkerPoolOptions { Workers = 1 }, "twin"));
        Assert.NotNull(first);
    }

    private static TaskResult Succeeded(long id) =>
        new(id, TaskOutcome.Succeeded, null, TimeSpan.Zero, DateTimeOffset.UnixEpoch, 1);

    /// <summary>A worker that announces itself like a real one and hands its tasks to a probe.</summary>
    private sealed class RelayWorker : ReceiveActor
    {
        public RelayWorker(IActorRef supervisor, IActorRef probe)
        {
            Receive<RunTask>(run => probe.Tell(run, Self));
            supervisor.Tell(WorkerReady.Instance, Self);
        }

        public static Props Props(IActorRef supervisor, IActorRef probe) =>
            Akka.Actor.Props.Create(() => new RelayWorker(supervisor, probe));
    }
}
