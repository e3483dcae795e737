using ActorPool.Actors;
using ActorPool.Admission;
using ActorPool.Messages;
using ActorPool.Work;
using Akka.Actor;
using Akka.Routing;

namespace ActorPool.Tests.Actors;

public sealed class PoolSupervisorActorTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task A_worker_must_hold_at_most_one_task_and_pull_the_next_when_it_reports()
    {
        var probe = CreateTestProbe();
        var runtime = PoolRuntime.Create(new WorkerPoolOptions { Workers = 1 }, "pulls", context => RelayWorker.Props(context, probe.Ref));
        var supervisor = runtime.Spawn(Sys);
        supervisor.Tell(StartPool.Instance);

        var items = Enumerable.Range(0, 3).Select(_ => Submit(runtime)).ToArray();

        var first = await probe.ExpectMsgAsync<RunBatch>();
        var worker = probe.LastSender;
        Assert.Same(items[0], Assert.Single(first.Items));
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        RunAndReport(runtime, first, worker);
        var second = await probe.ExpectMsgAsync<RunBatch>();
        Assert.Same(items[1], Assert.Single(second.Items));

        var results = runtime.Recorder.Store.Snapshot();
        Assert.Equal(TaskOutcome.Succeeded, results[items[0].Id].Outcome);
        Assert.Single(results);
    }

    [Fact]
    public async Task With_priority_every_worker_must_be_handed_the_highest_waiting_task_in_submission_order()
    {
        // Dispatch order is observed exactly here: a worker reports, exactly one task goes out.
        var probe = CreateTestProbe();
        var runtime = PoolRuntime.Create(new WorkerPoolOptions { Workers = 3, EnablePriority = true }, "priorities", context => RelayWorker.Props(context, probe.Ref));
        var supervisor = runtime.Spawn(Sys);
        var items = Enumerable.Range(1, 30).Select(i => Submit(runtime, new TaskOptions { Priority = i % 3 == 1 ? 100 : 0 })).ToList();

        var expected = items.OrderBy(item => item.Priority == 100 ? 0 : 1).ThenBy(item => item.Id).Select(item => item.Id).ToList();
        supervisor.Tell(StartPool.Instance);
        var first = new List<(RunBatch Batch, IActorRef Worker)>();
        for (var i = 0; i < 3; i++)
        {
            first.Add((await probe.ExpectMsgAsync<RunBatch>(), probe.LastSender));
        }

        Assert.Equal(expected.Take(3), first.Select(f => Assert.Single(f.Batch.Items).Id).Order());
        var (batch, worker) = first[0];
        var handedOut = first.Count;
        foreach (var next in expected.Skip(3))
        {
            RunAndReport(runtime, batch, worker);
            batch = await probe.ExpectMsgAsync<RunBatch>();
            Assert.Equal(next, Assert.Single(batch.Items).Id);
            worker = probe.LastSender;
            handedOut++;
        }

        Assert.Equal(30, handedOut);
    }

    [Fact]
    public async Task A_task_waiting_in_a_batch_behind_a_running_one_must_go_to_an_idle_worker()
    {
        var probe = CreateTestProbe();
        var runtime = PoolRuntime.Create(new WorkerPoolOptions { Workers = 2 }, "steals", context => RelayWorker.Props(context, probe.Ref));
        var supervisor = runtime.Spawn(Sys);
        supervisor.Tell(StartPool.Instance);

        // Both workers take a first task one by one; reporting tiny run times makes the next handed out in batches.
        Submit(runtime);
        Submit(runtime);
        var a = await probe.ExpectMsgAsync<RunBatch>();
        var workerA = probe.LastSender;
        var b = await probe.ExpectMsgAsync<RunBatch>();
        var workerB = probe.LastSender;
        for (var i = 0; i < 8; i++)
        {
            Submit(runtime);
        }

        RunAndReport(runtime, a, workerA, runs: 1000, runTicks: 1000);
        var busy = await probe.ExpectMsgAsync<RunBatch>();
        Assert.True(busy.Items.Length > 1, $"expected a batch, got {busy.Items.Length}");

        // The worker starts the first task of its batch and is stuck in it; the other one comes free.
        Claim(busy.Items[0], busy.Worker);
        RunAndReport(runtime, b, workerB);
        var stolen = await probe.ExpectMsgAsync<RunBatch>();

        Assert.Equal(workerB, probe.LastSender);
        Assert.NotEmpty(stolen.Items);
        Assert.All(stolen.Items, item => Assert.Contains(item, busy.Items.Skip(1)));
        Assert.All(stolen.Items, item => Assert.Equal(ItemState.Queued, item.State));
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

    private static SubmittedItem Submit(PoolRuntime runtime, TaskOptions? options = null)
    {
        var item = new SubmittedItem(_ => Task.CompletedTask, options);
        Assert.Equal(AdmissionResult.Accepted, runtime.Gate.TryAdmit(item, mayWait: false));
        return item;
    }

    private static void Claim(WorkItem item, int worker)
    {
        Assert.True(item.TryMove(ItemState.Queued, ItemState.Running));
        item.RunBy = worker;
        item.Attempts++;
    }

    /// <summary>Plays the worker: runs every task of the batch, settles it and reports the batch done.</summary>
    private static void RunAndReport(PoolRuntime runtime, RunBatch batch, IActorRef worker, int runs = 1, long runTicks = TimeSpan.TicksPerSecond)
    {
        foreach (var item in batch.Items)
        {
            if (item.State == ItemState.Queued)
            {
                Claim(item, batch.Worker);
            }

            runtime.Recorder.TrySettle(item, ItemState.Running, TaskOutcome.Succeeded, null, ran: true);
        }

        runtime.Inbox.Supervisor.Tell(new BatchDone(runs, runTicks), worker);
    }

    /// <summary>A worker that announces itself like a real one and hands its batches to a probe.</summary>
    private sealed class RelayWorker : ReceiveActor
    {
        public RelayWorker(WorkerContext context, IActorRef probe)
        {
            Receive<RunBatch>(batch => probe.Tell(batch, Self));
            context.Supervisor.Tell(WorkerReady.Instance, Self);
        }

        public static Props Props(WorkerContext context, IActorRef probe) =>
            Akka.Actor.Props.Create(() => new RelayWorker(context, probe));
    }
}
