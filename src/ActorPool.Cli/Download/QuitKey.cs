namespace ActorPool.Cli.Download;

/// <summary>
/// The dashboard's <c>q</c>: starts the same graceful shutdown as the first Ctrl+C. Listened for
/// only when stdin is a terminal: with <c>--urls -</c> or a pipe, stdin is data, not keys.
/// </summary>
internal static class QuitKey
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(100);

    /// <summary>Whether keys can be read at all.</summary>
    public static bool Available => !Console.IsInputRedirected;

    /// <summary>Polls for keys until <paramref name="stop"/> fires; on <c>q</c> calls <paramref name="quit"/> once and returns.</summary>
    /// <param name="keyAvailable">Whether a key is waiting (never blocks).</param>
    /// <param name="readKey">Reads the waiting key.</param>
    /// <param name="quit">What <c>q</c> does.</param>
    /// <param name="time">The polling clock.</param>
    /// <param name="stop">Ends the watch.</param>
    public static async Task WatchAsync(Func<bool> keyAvailable, Func<char> readKey, Action quit, TimeProvider time, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                while (keyAvailable())
                {
                    if (readKey() is 'q' or 'Q')
                    {
                        quit();
                        return;
                    }
                }

                // Polled, not a blocking ReadKey, so the watch ends with the run instead of holding a thread.
                await Task.Delay(PollEvery, time, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run ended.
        }
    }
}
