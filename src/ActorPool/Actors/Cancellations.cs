namespace ActorPool.Actors;

/// <summary>
/// Cancels token sources whose callbacks are user code without running that code here: the
/// token is cancelled at once, its callbacks run on the thread pool, and whatever they throw is
/// observed there instead of reaching an actor's receive or a timer thread.
/// </summary>
internal static class Cancellations
{
    public static void Cancel(CancellationTokenSource source)
    {
        Task callbacks;
        try
        {
            callbacks = source.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            return; // the task already ended and let go of its source
        }

        if (!callbacks.IsCompleted)
        {
            callbacks.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else if (callbacks.IsFaulted)
        {
            _ = callbacks.Exception;
        }
    }
}
