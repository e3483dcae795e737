namespace ActorPool.Cli.Cluster;

/// <summary>
/// The built-in named task <c>sleep</c> that every <c>actorpool node</c> and <c>actorpool run
/// --cluster</c> registers: it waits <see cref="DelayMs"/> milliseconds, standing in for I/O, and
/// throws when <see cref="Fail"/> is set (<c>run --failure-rate</c>). A task may run twice when a
/// node dies under it; waiting twice is harmless, which is what makes a handler idempotent.
/// </summary>
/// <param name="DelayMs">How long the task waits, in milliseconds (0 = it only yields).</param>
/// <param name="Fail">Whether it throws after waiting.</param>
internal sealed record SleepTask(int DelayMs, bool Fail = false)
{
    /// <summary>The handler's name; the same on every node, as a clustered pool requires.</summary>
    public const string Name = "sleep";

    /// <summary>Registers the handler on <paramref name="options"/>.</summary>
    public static void Register(WorkerPoolOptions options) => options.Handlers.Add<SleepTask>(Name, RunAsync);

    private static async Task RunAsync(SleepTask task, CancellationToken cancellationToken)
    {
        if (task.DelayMs > 0)
        {
            await Task.Delay(task.DelayMs, cancellationToken);
        }
        else
        {
            await Task.Yield();
        }

        if (task.Fail)
        {
            throw new InvalidOperationException("Synthetic failure.");
        }
    }
}
