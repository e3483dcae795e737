using ActorPool.Outcomes;
using ActorPool.Work;

namespace ActorPool.Durable;

/// <summary>A task's outcome as the journal gave it back: an earlier run's result, or a resumed task's.</summary>
internal sealed class RecordedItem : WorkItem
{
    private readonly string? _key;

    /// <summary>The outcome as it was recorded when the task ran: its start and run time are the journal's, not the read-back's.</summary>
    public RecordedItem(DurableOutcome outcome, ResultStore clock)
        : base(options: null)
    {
        _key = outcome.Key;
        Id = outcome.Id;
        Attempts = outcome.Attempts;
        var ran = outcome.Attempts > 0 && outcome.Outcome != TaskOutcome.Dropped;
        StartTimestamp = clock.Timestamp(outcome.StartedAt);
        var end = clock.Timestamp(outcome.StartedAt + TimeSpan.FromTicks(outcome.DurationTicks));
        TryMove(ItemState.Inbox, ItemState.Queued);
        TryBeginSettle(ItemState.Queued);
        Publish(outcome.Outcome, ErrorOf(outcome), end, ran);
    }

    public override string? Key => _key;

    /// <summary>
    /// The exception an outcome stands for. A failure is a <see cref="RemoteTaskException"/> with the
    /// original's type name and message, whether it ran in this process (<paramref name="original"/>,
    /// kept as the inner exception) or is read back from the journal, where only those two are kept.
    /// </summary>
    public static Exception? ErrorOf(DurableOutcome outcome, Exception? original = null) => outcome.Outcome switch
    {
        TaskOutcome.Succeeded => null,
        TaskOutcome.TimedOut => original as TimeoutException ?? new TimeoutException(outcome.ErrorMessage ?? "The task timed out."),
        TaskOutcome.Cancelled => original as OperationCanceledException ?? new OperationCanceledException(outcome.ErrorMessage ?? "The task was cancelled."),
        TaskOutcome.Dropped => original as SubmitRejectedException ?? new SubmitRejectedException(RejectionReason.QueueFull, outcome.ErrorMessage ?? "The task was dropped."),
        _ => new RemoteTaskException(outcome.ErrorType ?? "(unknown)", outcome.ErrorMessage ?? "The task failed.", original),
    };

    public override Task? Invoke(CancellationToken token) =>
        throw new NotSupportedException("A recorded outcome does not run.");

    public override void Release()
    {
    }
}
