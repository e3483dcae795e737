namespace ActorPool.Actors;

/// <summary>Reads the exception a task ended with, as the task's own code threw it.</summary>
internal static class TaskErrors
{
    /// <summary>The exception of a faulted or cancelled task: a single inner exception unwrapped, the original cancellation exception kept.</summary>
    public static Exception Of(Task task)
    {
        if (task.Exception is { } aggregate)
        {
            return aggregate.InnerExceptions.Count == 1 ? aggregate.InnerExceptions[0] : aggregate;
        }

        // A cancelled task keeps the exception it was cancelled with; awaiting it (already
        // complete, so this never waits) is the public way to get that very instance back.
        var caught = new Captured();
        _ = CaptureAsync(task, caught);
        return caught.Error ?? new TaskCanceledException(task);
    }

    private static async Task CaptureAsync(Task task, Captured caught)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            caught.Error = ex;
        }
    }

    private sealed class Captured
    {
        public Exception? Error { get; set; }
    }
}
