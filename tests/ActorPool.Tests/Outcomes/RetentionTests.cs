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
