namespace ActorPool.Outcomes;

/// <summary>
/// The one mapping from a recorded outcome to what a waiting caller sees, shared by
/// <c>RunAsync</c>, <see cref="TaskGroup"/> and anything else that turns results into exceptions.
/// </summary>
internal static class OutcomeErrors
{
    /// <summary>The exception a caller gets for an outcome other than <see cref="TaskOutcome.Succeeded"/>.</summary>
    /// <remarks>A failed task's own exception comes back unchanged, whatever its type.</remarks>
    public static Exception ToException(TaskOutcome outcome, Exception? error) => outcome switch
    {
        TaskOutcome.Failed => error ?? new InvalidOperationException("The task failed."),
        TaskOutcome.Dropped => error ?? new SubmitRejectedException(RejectionReason.QueueFull),
        TaskOutcome.TimedOut => error as TimeoutException ?? new TimeoutException("The task timed out.", error),
        TaskOutcome.Cancelled => error as OperationCanceledException ?? new OperationCanceledException("The task was cancelled.", error),
        _ => new InvalidOperationException($"The task ended {outcome}."),
    };

    /// <summary>
    /// The one converter from an outcome that crossed the wire or the journal (its exception as
    /// type name and message) to the exception it stands for. A failure is a
    /// <see cref="RemoteTaskException"/> with the original's type name and message; the rest are
    /// the pool's own exceptions, with the recorded message.
    /// </summary>
    public static Exception? FromRecord(TaskOutcome outcome, string? errorType, string? message) => outcome switch
    {
        TaskOutcome.Succeeded => null,
        TaskOutcome.TimedOut => new TimeoutException(message ?? "The task timed out."),
        TaskOutcome.Cancelled => new OperationCanceledException(message ?? "The task was cancelled."),
        TaskOutcome.Dropped => new SubmitRejectedException(RejectionReason.QueueFull, message ?? "The task was dropped."),
        _ => new RemoteTaskException(errorType ?? "(unknown)", message ?? "The task failed."),
    };

    /// <inheritdoc cref="ToException(TaskOutcome, Exception?)"/>
    public static Exception ToException(TaskResult result) => ToException(result.Outcome, result.Error);

    /// <summary>Completes a caller's completion source with a non-success outcome.</summary>
    public static void Complete<T>(TaskCompletionSource<T> completion, TaskOutcome outcome, Exception? error)
    {
        if (outcome == TaskOutcome.Cancelled)
        {
            // A cancelled caller sees a cancelled task, as with any awaited operation.
            completion.TrySetCanceled((error as OperationCanceledException)?.CancellationToken ?? default);
            return;
        }

        completion.TrySetException(ToException(outcome, error));
    }

    /// <summary>Completes a caller's completion source for a submit that was never accepted: cancelled by its token, else the refusal.</summary>
    public static void Refuse<T>(TaskCompletionSource<T> completion, Exception error)
    {
        if (error is OperationCanceledException cancelled)
        {
            completion.TrySetCanceled(cancelled.CancellationToken);
            return;
        }

        completion.TrySetException(error);
    }
}
