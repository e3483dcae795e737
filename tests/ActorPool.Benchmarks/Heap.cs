namespace ActorPool.Benchmarks;

/// <summary>Heap figures the memory rows compare before and after.</summary>
internal static class Heap
{
    /// <summary>Bytes on the heap after full collections and pending finalizers: what is still held, not garbage.</summary>
    public static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
