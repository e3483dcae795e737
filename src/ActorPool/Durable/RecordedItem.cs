using ActorPool.Work;

namespace ActorPool.Durable;

/// <summary>A task's outcome as the journal gave it back: an earlier run's result, or a resumed task's.</summary>
internal sealed class RecordedItem : WorkItem
{
    private readonly string? _key;

    public RecordedItem(DurableOutcome outcome, TimeProvider time)
        : base(options: null)
    {
        _key = outcome.Key;
        Id = outcome.Id;
        Attempts = outcome.Attempts;
        var end = time.GetTimestamp();
        var ran = outcome.Attempts > 0 && outcome.Outcome != TaskOutcome.Dropped;
        StartTimestamp = end - (long)(outcome.DurationTicks / (double)TimeSpan.TicksPerSecond * time.TimestampFrequency);
        TryMove(ItemState.Inbox, ItemState.Queued);
        TryBeginSettle(ItemState.Queued);
        Publish(outcome.Outcome, ErrorOf(outcome), end, ran);
    }

    public override string? Key => _key;

    /// <summary>The exception an outcome stands for; the journal keeps type name and message only.</summary>
    public static Exception? ErrorOf(DurableOutcome outcome) => outcome.Outcome switch
    {
        TaskOutcome.Succeeded => null,
        TaskOutcome.TimedOut => new TimeoutException(outcome.ErrorMessage ?? "The task timed out."),
        TaskOutcome.Cancelled => new OperationCanceledException(outcome.ErrorMessage ?? "The task was cancelled."),
        TaskOutcome.Dropped => new SubmitRejectedException(RejectionReason.QueueFull, outcome.ErrorMessage ?? "The task was dropped."),
        _ => new RemoteTaskException(outcome.ErrorType ?? "(unknown)", outcome.ErrorMessage ?? "The task failed."),
    };

    public override Task? Invoke(CancellationToken token) =>
        throw new NotSupportedException("A recorded outcome does not run.");

    public override void Release()
    {
    }
}
