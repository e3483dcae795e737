using ActorPool.Admission;
using ActorPool.Outcomes;
using ActorPool.Work;
using Akka.Actor;
using Inbox = ActorPool.Admission.Inbox;

namespace ActorPool.Durable;

/// <summary>What a durable pool's journal actor shares with its engine.</summary>
internal sealed class JournalContext
{
    public required string Name { get; init; }

    public required WorkerPoolOptions Options { get; init; }

    /// <summary>What the admission gate admitted, for the journal to write down.</summary>
    public required Inbox Inbox { get; init; }

    /// <summary>The pool supervisor's inbox, where written-down tasks go on to be run.</summary>
    public required Inbox Pool { get; init; }

    /// <summary>The pool's supervisor, told where the journal's ids continue.</summary>
    public required IActorRef Supervisor { get; init; }

    public required AdmissionGate Gate { get; init; }

    /// <summary>Records outcomes for this pool's callers and <c>GetResults</c>.</summary>
    public required OutcomeRecorder Recorder { get; init; }

    /// <summary>The pool's deduplication keys: read back tasks take theirs again.</summary>
    public KeyTable? Keys { get; init; }

    public required string JournalPluginId { get; init; }

    public required string SnapshotPluginId { get; init; }

    /// <summary>This pool's claim on its name in the journal; let go when the journal actor stops.</summary>
    public JournalClaim? Claim { get; init; }

    /// <summary>The recurring tasks read back, set before <see cref="Ready"/> completes.</summary>
    public IReadOnlyList<DurableSchedule> Schedules { get; set; } = [];

    /// <summary>Completes when the journal has been read back; fails with the reason when it cannot be.</summary>
    public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the failure once the journal cannot be read or written: nothing more is accepted or journaled.</summary>
    public TaskCompletionSource<PoolJournalException> Lost { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The journal cannot be used (read back, or a write failed): closes the gate with the failure,
    /// fails every submit still waiting in the inbox with it, and completes <see cref="Lost"/>. The first failure wins.
    /// </summary>
    public PoolJournalException Fail(Exception cause)
    {
        var error = cause as PoolJournalException ?? new PoolJournalException($"The journal of pool '{Name}' ({Options.Persistence.Provider}) cannot be used: {cause.Message}", cause);
        if (Interlocked.CompareExchange(ref _failure, error, null) is { } first)
        {
            return first;
        }

        Gate.Fail(error);
        while (Inbox.TryTake(out var item))
        {
            if (item.TryMove(ItemState.Inbox, ItemState.Withdrawn) && item is NamedItem named)
            {
                Refuse(named, error);
            }
        }

        Ready.TrySetException(error);
        Lost.TrySetResult(error);
        return error;
    }

    /// <summary>An accepted task whose acceptance the journal could not write: its submit fails and counts as rejected.</summary>
    public void Refuse(NamedItem item, PoolJournalException error)
    {
        Gate.CountWithdrawn();
        Gate.ReleaseSlot(item);
        item.Acceptance?.TrySetException(error);
    }

    /// <summary>Unfinished tasks found in the journal at start and run again.</summary>
    public long Resumed
    {
        get => Interlocked.Read(ref _resumed);
        set => Interlocked.Exchange(ref _resumed, value);
    }

    /// <summary>Outcomes of tasks finished in an earlier run, read back from the journal.</summary>
    public long Recovered
    {
        get => Interlocked.Read(ref _recovered);
        set => Interlocked.Exchange(ref _recovered, value);
    }

    /// <summary>The journal's failure, once it failed.</summary>
    public PoolJournalException? Failure => Volatile.Read(ref _failure);

    private PoolJournalException? _failure;
    private long _resumed;
    private long _recovered;
}
