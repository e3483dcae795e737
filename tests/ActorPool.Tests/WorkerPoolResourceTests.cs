using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ActorPool.Tests;

/// <summary>Runs alone: it measures process-wide thread counts.</summary>
[CollectionDefinition(nameof(ProcessWideMeasurements), DisableParallelization = true)]
public sealed class ProcessWideMeasurements;

[Collection(nameof(ProcessWideMeasurements))]
public sealed class WorkerPoolResourceTests
{
    [Fact]
    public async Task Fifty_pools_created_used_and_disposed_must_not_grow_threads_and_must_be_collectable()
    {
        // Warm up once so lazily created runtime threads are part of the baseline.
        await UsePoolAsync();
        var baseline = DedicatedThreads();

        var pools = new List<WeakReference>();
        for (var i = 0; i < 50; i++)
        {
            pools.Add(await UsePoolAsync());
        }

        // Like AwaitAssert: terminated systems release their last threads and callbacks asynchronously.
        var collected = false;
        var threads = int.MaxValue;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10) && !(collected && threads <= baseline + 2))
        {
            await Task.Delay(50);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            collected = pools.All(p => !p.IsAlive);
            threads = DedicatedThreads();
        }

        Assert.True(collected, $"{pools.Count(p => p.IsAlive)} of 50 stopped pools are still reachable");
        Assert.True(threads <= baseline + 2, $"dedicated threads grew from {baseline} to {threads} after 50 pools");
    }

    /// <summary>Threads outside the shared .NET thread pool: an actor system's own threads would show here.</summary>
    private static int DedicatedThreads()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count - ThreadPool.ThreadCount;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> UsePoolAsync()
    {
        var pool = new WorkerPool(4);
        pool.Start();
        for (var i = 0; i < 20; i++)
        {
            await pool.SubmitAsync(_ => Task.CompletedTask);
        }

        await pool.DisposeAsync();
        return new WeakReference(pool);
    }
}
