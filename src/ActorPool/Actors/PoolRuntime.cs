using ActorPool.Admission;
using ActorPool.Outcomes;
using ActorPool.Work;
using Akka.Actor;
using Inbox = ActorPool.Admission.Inbox;

namespace ActorPool.Actors;

/// <summary>The parts of one pool the supervisor works with, made by <see cref="WorkerPool"/> before the supervisor starts.</summary>
internal sealed class PoolRuntime
{
    public required WorkerPoolOptions Options { get; init; }

    public required string Name { get; init; }

    public required AdmissionGate Gate { get; init; }

    /// <summary>Where the supervisor takes its tasks in.</summary>
    public required Inbox Inbox { get; init; }

    /// <summary>The pool's deduplication keys.</summary>
    public required KeyTable Keys { get; init; }

    /// <summary>Told when a task's run starts (a durable pool journals it); null for no one.</summary>
    public Action<WorkItem>? OnStart { get; init; }

    public required OutcomeRecorder Recorder { get; init; }

    public required PoolCounters Counters { get; init; }

    /// <summary>Fired for the start token, a forced stop or the shutdown deadline: running tasks see it.</summary>
    public required CancellationTokenSource PoolCancellation { get; init; }

    /// <summary>Makes the props of one worker; tests swap in their own.</summary>
    public Func<WorkerContext, Props> WorkerProps { get; init; } = WorkerActor.Props;

    /// <summary>Builds the parts of a pool from validated options.</summary>
    /// <param name="options">The pool's settings, already validated.</param>
    /// <param name="name">The pool's name.</param>
    /// <param name="workerProps">Makes a worker's props; null for the real worker.</param>
    /// <param name="journal">What a durable pool's journal puts between the gate and the supervisor; null for none.</param>
    public static PoolRuntime Create(WorkerPoolOptions options, string name, Func<WorkerContext, Props>? workerProps = null, JournalHooks? journal = null)
    {
        var inbox = new Inbox();
        var store = new ResultStore(options.MaxRetainedResults, options.TimeProvider);
        var keys = new KeyTable(options.TimeProvider, options.DeduplicationWindow);
        return new PoolRuntime
        {
            Options = options,
            Name = name,
            OnStart = journal?.OnStart,
            Gate = new AdmissionGate(options, name, journal?.Inbox ?? inbox),
            Inbox = inbox,
            Keys = keys,
            Recorder = new OutcomeRecorder(store, options.TimeProvider, name, options.OnTaskCompleted is not null)
            {
                OnRecorded = journal?.OnRecorded,
                Keys = keys,
                FailuresAsRemote = journal is not null, // as the journal gives them back after a restart
            },
            Counters = new PoolCounters(options.Workers),
            PoolCancellation = new CancellationTokenSource(),
            WorkerProps = workerProps ?? WorkerActor.Props,
        };
    }

    /// <summary>Starts the supervisor in <paramref name="system"/> and points the inbox at it.</summary>
    public IActorRef Spawn(IActorRefFactory system)
    {
        var supervisor = system.ActorOf(PoolSupervisorActor.Props(this), Name);
        Inbox.Supervisor = supervisor;
        return supervisor;
    }

    /// <summary>What the workers share; built once from the rest.</summary>
    public WorkerContext CreateWorkerContext() => new()
    {
        Recorder = Recorder,
        PoolToken = PoolCancellation.Token,
        TaskTimeout = OptionLimits.Limit(Options.TaskTimeout),
        QueueTimeout = OptionLimits.Limit(Options.QueueTimeout),
        MaxAttempts = Options.MaxAttempts,
        ShouldRetry = Options.ShouldRetry,
        InsideMarker = Gate.MayWaitForRoom ? Gate.Marker : null,
        OnStart = OnStart,
    };
}

/// <summary>
/// What a durable pool's journal puts between its gate and its supervisor: the gate posts to the
/// journal's <paramref name="Inbox"/>, and every start and outcome is told to it.
/// </summary>
internal sealed record JournalHooks(Inbox Inbox, Action<WorkItem> OnStart, Action<IRecordedOutcome> OnRecorded);
