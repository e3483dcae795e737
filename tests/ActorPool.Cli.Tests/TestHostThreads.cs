using System.Runtime.CompilerServices;

namespace ActorPool.Cli.Tests;

internal static class TestHostThreads
{
    /// <summary>
    /// The test host keeps thread-pool threads busy while it starts, and on a 2-core machine the
    /// pool starts with 2 and adds one every half second: timer callbacks then stalled for
    /// ~800 ms, which the rate-limit tests measured as the limiter being 20% slow. More threads
    /// up front let those tests measure the limiter, not the host.
    /// </summary>
    [ModuleInitializer]
    internal static void RaiseMinimumThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), Math.Max(io, 16));
    }
}
