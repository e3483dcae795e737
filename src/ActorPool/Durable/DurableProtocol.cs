using ActorPool.Cluster;
using ActorPool.Serialization;
using Akka.Actor;

namespace ActorPool.Durable;

// The journal of a durable pool: what was accepted, started and finished, and snapshots of it.
// Events are plain data serialized as JSON by PoolMessageSerializer under stable manifests.

/// <summary>A named task as the journal keeps it; <c>Attempts</c> counts the runs that started.</summary>
internal sealed record DurableTask(long Id, string Handler, byte[] Payload, WireOptions? Options, int Attempts);

/// <summary>
/// A finished task as the journal keeps it; exceptions travel as type name and message, a value as
/// its JSON. <c>DedupKey</c> and <c>DedupUntil</c>: its deduplication key stays taken until then.
/// <c>Payload</c> is kept only for a task that did not succeed, so that it can be retried.
/// </summary>
internal sealed record DurableOutcome(
    long Id,
    string? Key,
    TaskOutcome Outcome,
    string? ErrorType,
    string? ErrorMessage,
    long DurationTicks,
    DateTimeOffset StartedAt,
    int Attempts,
    byte[]? Result = null,
    string? Node = null,
    string? DedupKey = null,
    DateTimeOffset? DedupUntil = null,
    string? Handler = null,
    byte[]? Payload = null,
    long RetryOf = 0,
    float QueueWaitSeconds = 0);

/// <summary>Tasks the pool accepted, journaled before their submits return; <c>Fired</c>: the schedule occurrences among them, written in the same event so that a restart neither skips nor repeats one.</summary>
internal sealed record TasksJournaled(DurableTask[] Tasks, ScheduleFired[]? Fired = null) : IPoolWireMessage;

/// <summary>A schedule's occurrence whose task is in the same <see cref="TasksJournaled"/>.</summary>
internal sealed record ScheduleFired(string Id, DateTimeOffset Occurrence);

/// <summary>A recurring task as the journal keeps it, with the newest occurrence that ran.</summary>
internal sealed record DurableSchedule(
    string Id,
    string Cron,
    string? TimeZone,
    string Handler,
    byte[] Payload,
    OverlapPolicy Overlap,
    MisfirePolicy Misfire,
    long MisfireThresholdTicks,
    WireOptions? Task,
    DateTimeOffset? LastOccurrence = null);

/// <summary>A schedule was added or changed.</summary>
internal sealed record ScheduleSaved(DurableSchedule Schedule) : IPoolWireMessage;

/// <summary>A schedule was removed.</summary>
internal sealed record ScheduleRemoved(string Id) : IPoolWireMessage;

/// <summary>Tasks that started a run: a task that was running at a crash counts that run.</summary>
internal sealed record TasksStarted(long[] Ids) : IPoolWireMessage;

/// <summary>Tasks that finished, journaled behind their outcomes.</summary>
internal sealed record TasksFinished(DurableOutcome[] Outcomes) : IPoolWireMessage;

/// <summary>The journal's state at a point: the last id, the unfinished tasks and the newest outcomes.</summary>
/// <remarks><c>Keyed</c>: outcomes whose deduplication key is still taken, kept until their window ends whatever <c>Recent</c> keeps.</remarks>
/// <remarks><c>Schedules</c>: the recurring tasks, each with its newest occurrence that ran.</remarks>
internal sealed record JournalSnapshot(long LastId, DurableTask[] Unfinished, DurableOutcome[] Recent, DurableOutcome[]? Keyed = null, DurableSchedule[]? Schedules = null) : IPoolWireMessage;

/// <summary>A task of the journal started a run on one of the pool's workers.</summary>
internal sealed record DurableStarted(long Id) : INoSerializationVerificationNeeded;

/// <summary>A task of the journal has its outcome, recorded by the pool: journaled behind.</summary>
internal sealed record DurableSettled(DurableOutcome Outcome) : INoSerializationVerificationNeeded;

/// <summary>Time to journal what started and finished since the last write.</summary>
internal sealed class FlushJournal : INoSerializationVerificationNeeded
{
    public static readonly FlushJournal Instance = new();

    private FlushJournal()
    {
    }
}

/// <summary>Completes once every task the journal accepted before it has finished.</summary>
internal sealed record AwaitJournal(TaskCompletionSource Completion) : INoSerializationVerificationNeeded;

/// <summary>The pool stops: what its stop cuts short (cancelled, or timed out at the shutdown deadline) stays unfinished in the journal, to run again next time.</summary>
internal sealed class JournalStopping : INoSerializationVerificationNeeded
{
    public static readonly JournalStopping Instance = new();

    private JournalStopping()
    {
    }
}

/// <summary>Completes once everything journaled behind has been written: the last step of a stop.</summary>
internal sealed record SyncJournal(TaskCompletionSource Completion) : INoSerializationVerificationNeeded;
