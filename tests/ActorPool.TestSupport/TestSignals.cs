namespace ActorPool.Testing;

/// <summary>Small synchronisation aids so tests wait on signals, never on sleeps.</summary>
public static class TestSignals
{
    /// <summary>Generous upper bound for things that should take milliseconds, even on a loaded machine.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static Task WaitAsync(this TaskCompletionSource gate) => gate.Task.WaitAsync(Patience);

    /// <summary>Like TestKit's AwaitAssert for state seen from outside (pool figures): polls until true or fails after <paramref name="within"/>.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, Func<string> describe, TimeSpan? within = null)
    {
        var patience = within ?? Patience;
        var deadline = DateTime.UtcNow + patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not reached within {patience}: {describe()}");
            await Task.Delay(10);
        }
    }
}
