namespace ActorPool.Benchmarks.Contenders;

/// <summary>
/// Drives a contender the way a service calls a pool: a fixed number of callers (request handlers,
/// consumer loops), each awaiting its call before it makes the next. Every contender with a
/// per-call API is driven through here, so no row submits everything before awaiting anything.
/// </summary>
public static class ClosedLoop
{
    /// <summary>The callers in flight, as issue 17 asks.</summary>
    public const int Callers = 4096;

    /// <summary>Makes <paramref name="count"/> calls from <see cref="Callers"/> callers; completes when the last call has.</summary>
    /// <param name="count">Calls in all.</param>
    /// <param name="call">One call, awaited by its caller before that caller makes another.</param>
    public static Task RunAsync(int count, Func<ValueTask> call)
    {
        var remaining = count;
        var callers = new Task[Math.Min(Callers, count)];
        for (var i = 0; i < callers.Length; i++)
        {
            callers[i] = CallerAsync();
        }

        return Task.WhenAll(callers);

        async Task CallerAsync()
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                await call();
            }
        }
    }
}
