using ActorPool.Admission;
using ActorPool.Engines;
using ActorPool.Outcomes;

namespace ActorPool.Durable;

/// <summary>What a durable pool's journal actor shares with its engine.</summary>
internal sealed class JournalContext
{
    public required string Name { get; init; }

    public required WorkerPoolOptions Options { get; init; }

    public required Inbox Inbox { get; init; }

    public required AdmissionGate Gate { get; init; }

    /// <summary>Records outcomes for this pool's callers and <c>GetResults</c>.</summary>
    public required OutcomeRecorder Recorder { get; init; }

    /// <summary>The local pool that runs the journal's tasks.</summary>
    public required LocalEngine Executor { get; init; }

    public required string JournalPluginId { get; init; }

    public required string SnapshotPluginId { get; init; }

    /// <summary>Completes when the journal has been read back; fails with the reason when it cannot be.</summary>
    public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

    /// <summary>Tasks journaled as accepted and not yet finished.</summary>
    public int Unfinished
    {
        get => Volatile.Read(ref _unfinished);
        set => Volatile.Write(ref _unfinished, value);
    }

    private long _resumed;
    private long _recovered;
    private int _unfinished;
}
