namespace ActorPool;

/// <summary>
/// Work that runs once, however many callers ask and from whichever threads: every caller gets
/// the task of the first run. The one "stop only once" of every engine.
/// </summary>
internal sealed class Once(Func<Task> work)
{
    private Task? _task;

    /// <summary>The run, once one began; null before.</summary>
    public Task? Started => Volatile.Read(ref _task);

    /// <summary>Starts the work if no one did yet; returns its task either way.</summary>
    public Task Run()
    {
        var existing = Volatile.Read(ref _task);
        if (existing is not null)
        {
            return existing;
        }

        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        existing = Interlocked.CompareExchange(ref _task, completion.Task, null);
        if (existing is not null)
        {
            return existing;
        }

        _ = RunAsync(completion);
        return completion.Task;
    }

    private async Task RunAsync(TaskCompletionSource done)
    {
        try
        {
            await work().ConfigureAwait(false);
            done.TrySetResult();
        }
        catch (Exception ex)
        {
            done.TrySetException(ex);
        }
    }
}
