using ActorPool.Durable;

namespace ActorPool.Outcomes;

/// <summary>A task's outcome as a journal gave it back: an earlier run's, or a resumed task's that cannot run here.</summary>
internal sealed class RecordedOutcome : IRecordedOutcome
{
    /// <summary>The outcome as it was recorded when the task ran: its start and run time are the journal's, not the read-back's.</summary>
    public RecordedOutcome(DurableOutcome outcome, ResultStore clock)
    {
        Id = outcome.Id;
        Key = outcome.Key;
        Node = outcome.Node;
        Outcome = outcome.Outcome;
        Error = OutcomeErrors.FromRecord(outcome.Outcome, outcome.ErrorType, outcome.ErrorMessage);
        Attempts = outcome.Attempts;
        Ran = outcome.Attempts > 0 && outcome.Outcome != TaskOutcome.Dropped;
        StartTimestamp = clock.Timestamp(outcome.StartedAt);
        HandlerName = outcome.Handler;
        PayloadJson = outcome.Payload;
        RetryOf = outcome.RetryOf;
        QueueWaitSeconds = outcome.QueueWaitSeconds;
        EndTimestamp = Ran ? clock.Timestamp(outcome.StartedAt + TimeSpan.FromTicks(outcome.DurationTicks)) : StartTimestamp;
    }

    public long Id { get; }

    public string? Key { get; }

    public string? Node { get; }

    public TaskOutcome Outcome { get; }

    public Exception? Error { get; }

    public bool Ran { get; }

    public int Attempts { get; }

    public long StartTimestamp { get; }

    public long EndTimestamp { get; }

    public float QueueWaitSeconds { get; }

    public string? HandlerName { get; }

    public byte[]? PayloadJson { get; }

    /// <summary>Not journaled: a retry of a read-back outcome takes the pool's defaults.</summary>
    public TaskOptions? Options => null;

    public long RetryOf { get; }
}
