namespace ActorPool.Tests.Outcomes;

/// <summary>Runs alone: it counts the process's garbage collections and heap.</summary>
[Collection(nameof(ProcessWideMeasurements))]
public sealed class RetentionTests
{
    private const int Tasks = 1_000_000;
    private const int Callers = 4_096;

    [Fact]
    public async Task Results_retained_by_default_must_not_grow_the_heap_or_cost_gen2_collections_over_a_million_awaited_tasks()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2 }); // MaxRetainedResults: the default 10,000
        pool.Start();
        await ClosedLoopAsync(pool, 10_000); // warm up: the ring's chunks and the actors exist
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        var gen2 = GC.CollectionCount(2);

        await ClosedLoopAsync(pool, Tasks).WaitAsync(TimeSpan.FromMinutes(3));

        var collections = GC.CollectionCount(2) - gen2;
        var grown = GC.GetTotalMemory(forceFullCollection: true) - heap;
        Assert.Equal(Tasks + 10_000, pool.GetStats().Succeeded);
        Assert.Equal(10_000, pool.GetResults().Count);

        // Generous bounds: keeping every result would grow the heap by hundreds of MB; a retained
        // task object promoted and then evicted costs a gen2 collection every few ten thousand tasks.
        Assert.True(grown < 32 * 1024 * 1024, $"the heap grew by {grown / 1024:N0} KB over {Tasks:N0} tasks with 10,000 results retained");
        Assert.True(collections <= 5, $"{collections} gen2 collections over {Tasks:N0} tasks with 10,000 results retained");
    }

    [Fact]
    public async Task SubmitManyAsync_into_a_small_queue_must_make_each_task_once_however_often_it_waits_for_room()
    {
        const int total = 100_000;
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 2, QueueSize = 100, MaxRetainedResults = 0 });
        pool.Start();
        var work = Enumerable.Repeat<Func<CancellationToken, Task>>(static _ => Task.CompletedTask, total).ToArray();
        await pool.SubmitManyAsync(work.AsSpan(0, 1_000).ToArray()); // warm up: JIT and the actors
        await pool.WaitAsync();
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var ids = await pool.SubmitManyAsync(work).WaitAsync(TimeSpan.FromMinutes(2));
        await pool.WaitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        var perTask = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)total;
        Assert.Equal(total, ids.Distinct().Count());
        Assert.Equal(total + 1_000, pool.GetStats().Succeeded);

        // A task is about 150 bytes; remaking the batch's unoffered tasks at every wait for room cost about 40 times that here.
        Assert.True(perTask < 1_000, $"{perTask:F0} bytes allocated per task for SubmitManyAsync of {total:N0} into a queue of 100");
    }

    [Fact]
    public async Task Ten_thousand_delayed_tasks_must_hold_no_worker_or_queue_slot_and_at_most_200_bytes_each_while_they_wait()
    {
        const int delayed = 10_000;
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, QueueSize = 10, Overflow = OverflowPolicy.Reject });
        pool.Start();
        var later = new TaskOptions { Delay = TimeSpan.FromHours(1) };
        await pool.SubmitAsync(static _ => Task.CompletedTask, later); // warm up: the heap of delayed tasks and its timer exist
        await TestSignals.EventuallyAsync(() => pool.GetStats().Delayed == 1, () => $"{pool.GetStats().Delayed} delayed");
        var heap = GC.GetTotalMemory(forceFullCollection: true);

        for (var i = 1; i < delayed; i++)
        {
            await pool.SubmitAsync(static _ => Task.CompletedTask, later); // under Reject, a task holding a slot would be refused after 10
        }

        await TestSignals.EventuallyAsync(() => pool.GetStats().Delayed == delayed, () => $"{pool.GetStats().Delayed} delayed");
        var perTask = (GC.GetTotalMemory(forceFullCollection: true) - heap) / (double)(delayed - 1);
        Assert.Equal(7, await pool.RunAsync(static _ => Task.FromResult(7)).WaitAsync(TestSignals.Patience)); // the worker is free
        Assert.True(perTask <= 200, $"{perTask:F0} bytes held per delayed task");
    }

    /// <summary>Callers that each await their own task before they submit the next, as a service does.</summary>
    private static Task ClosedLoopAsync(WorkerPool pool, int total)
    {
        var next = 0;
        return Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) <= total)
            {
                await pool.RunAsync(static _ => Task.FromResult(0));
            }
        })));
    }
}
