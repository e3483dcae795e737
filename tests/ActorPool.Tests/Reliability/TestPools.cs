using Akka.Actor;
using Akka.Configuration;

namespace ActorPool.Tests.Reliability;

/// <summary>What the reliability tests need around a pool beyond <see cref="TestSignals"/>.</summary>
internal static class TestPools
{
    /// <summary>
    /// Ends a test's pool: stops it, waiting at most <see cref="TestSignals.Patience"/>, and never
    /// throws, so a test that failed keeps its own failure and a pool the defect under test broke
    /// does not hold threads for later tests. Tests about stopping assert on StopAsync themselves.
    /// </summary>
    public static async Task StopQuietlyAsync(this WorkerPool pool)
    {
        try
        {
            await pool.StopAsync().WaitAsync(TestSignals.Patience);
        }
        catch (Exception)
        {
            // Reported by the test itself or by the stop tests, not here.
        }
    }

    /// <summary>An actor system owned by the test, for pools made with <see cref="WorkerPool.Create(ActorSystem, WorkerPoolOptions, string)"/>.</summary>
    public static ActorSystem NewSystem() => ActorSystem.Create(
        "reltests",
        ConfigurationFactory.ParseString("""
            akka {
              loglevel = WARNING
              stdout-loglevel = WARNING
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              coordinated-shutdown.run-by-clr-shutdown-hook = off
            }
            """));

    /// <summary>Terminates a test's actor system, waiting at most <see cref="TestSignals.Patience"/>, never throwing.</summary>
    public static async Task TerminateQuietlyAsync(this ActorSystem system)
    {
        try
        {
            await system.Terminate().WaitAsync(TestSignals.Patience);
        }
        catch (Exception)
        {
            // A system that does not terminate is the stop tests' finding, not a reason to hide this test's.
        }
    }

    /// <summary>Outcomes recorded so far, all kinds together.</summary>
    public static long Outcomes(this PoolStats stats) =>
        stats.Succeeded + stats.Failed + stats.Cancelled + stats.TimedOut + stats.Dropped;

    /// <summary>The pool's central promise once nothing is in flight: every submit is rejected or has exactly one outcome.</summary>
    public static void AssertBooksBalance(this PoolStats stats) =>
        Assert.True(stats.Submitted == stats.Outcomes() + stats.Rejected, $"Submitted != outcomes + Rejected: {stats}");

    /// <summary>A task's recorded result, waiting until it is recorded.</summary>
    public static async Task<TaskResult> ResultOfAsync(this WorkerPool pool, long id)
    {
        await TestSignals.EventuallyAsync(() => pool.GetResults().ContainsKey(id), () => $"task {id} has no outcome: {pool.GetStats()}");
        return pool.GetResults()[id];
    }
}
