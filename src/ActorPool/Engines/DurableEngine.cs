using System.Diagnostics.CodeAnalysis;
using ActorPool.Actors;
using ActorPool.Admission;
using ActorPool.Configuration;
using ActorPool.Diagnostics;
using ActorPool.Durable;
using ActorPool.Messages;
using ActorPool.Outcomes;
using ActorPool.Serialization;
using Akka;
using Akka.Actor;
using Inbox = ActorPool.Admission.Inbox;

namespace ActorPool.Engines;

/// <summary>
/// A durable pool: the admission gate hands named tasks to the journal actor, which journals them
/// before their submits return and runs them on a local pool. After a crash the journal brings
/// back every task without an outcome.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "The stop releases what the pool holds; the pool's lifetime is its stop.")]
internal sealed class DurableEngine : NamedTaskEngine
{
    private readonly WorkerPoolOptions _options;
    private readonly ActorSystem _system;
    private readonly bool _ownsSystem;
    private readonly AdmissionGate _gate;
    private readonly ResultStore _results;
    private readonly PoolMetrics _metrics;
    private readonly Lazy<Task> _drain;
    private readonly LocalEngine _executor;
    private readonly JournalContext _context;
    private readonly IActorRef _journal;
    private Task? _stop;

    public DurableEngine(ActorSystem? system, WorkerPoolOptions options, string name)
    {
        JournalSetup.Check(options.Persistence);
        var claim = JournalClaim.Take(options.Persistence, name);
        _options = options;
        _ownsSystem = system is null;
        try
        {
            _system = system ?? CreateOwnSystem(options, JournalSetup.Config(options.Persistence));
        }
        catch
        {
            claim.Dispose();
            throw;
        }

        if (!_ownsSystem)
        {
            _system.Settings.InjectTopLevelFallback(JournalSetup.Config(options.Persistence));
            _system.Settings.InjectTopLevelFallback(WorkerPoolSettings.ParseReference());
            WarnIfDrainPhaseIsShort(_system, options, name);
        }

        PoolMessageSerializer.Bind((ExtendedActorSystem)_system);
        _executor = new LocalEngine(_system, ExecutorOptions(options), $"{name}-executor", inner: true);
        var inbox = new Inbox();
        _gate = new AdmissionGate(options, name, inbox);
        _results = new ResultStore(options.MaxRetainedResults, options.TimeProvider);
        var recorder = new OutcomeRecorder(_results, options.TimeProvider, name, options.OnTaskCompleted is not null)
        {
            Aggregator = _system.ActorOf(ResultAggregatorActor.Props(options.OnTaskCompleted), $"{name}-results"),
        };
        _drain = new Lazy<Task>(DrainAsync);
        _metrics = new PoolMetrics(name, GetStats);
        recorder.Metrics = _metrics;
        _context = new JournalContext
        {
            Name = name,
            Options = options,
            Inbox = inbox,
            Gate = _gate,
            Recorder = recorder,
            Executor = _executor,
            JournalPluginId = JournalSetup.JournalPluginId,
            SnapshotPluginId = JournalSetup.SnapshotPluginId,
            Claim = claim,
        };
        _journal = _system.ActorOf(JournalActor.Props(_context), $"{name}-journal");
        inbox.Supervisor = _journal;
        CoordinatedShutdown.Get(_system).AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, $"actor-pool-{name}-journal", async () =>
        {
            await _drain.Value.ConfigureAwait(false);
            return Done.Instance;
        });
    }

    public override int Workers => _executor.Workers;

    public override IActorRef Supervisor => _journal;

    public override ActorSystem? System => _system;

    protected override AdmissionGate Gate => _gate;

    public override void Start(CancellationToken cancellationToken) => _executor.Start(cancellationToken);

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        _gate.Close();
        var stop = Volatile.Read(ref _stop);
        if (stop is null)
        {
            var created = StopCoreAsync();
            stop = Interlocked.CompareExchange(ref _stop, created, null) ?? created;
        }

        return cancellationToken.CanBeCanceled ? stop.WaitAsync(cancellationToken) : stop;
    }

    public override async Task WaitAsync(CancellationToken cancellationToken)
    {
        await _context.Ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _journal.Tell(new AwaitJournal(reply));

        // A journal that fails meanwhile stops its actor, which may never read the request.
        if (await Task.WhenAny(reply.Task, _context.Lost.Task).WaitAsync(cancellationToken).ConfigureAwait(false) != reply.Task)
        {
            throw _context.Failure!;
        }

        await reply.Task.ConfigureAwait(false);
    }

    public override void Resize(int workers) => _executor.Resize(workers);

    public override PoolStats GetStats()
    {
        var executor = _executor.GetStats();
        return _results.AddTo(new PoolStats
        {
            Workers = executor.Workers,
            ActiveWorkers = executor.ActiveWorkers,
            Queued = Math.Max(0, _context.Unfinished - executor.ActiveWorkers),
            QueueCapacity = _options.QueueSize,
            IsStopped = _gate.IsClosed,
            IsCircuitOpen = executor.IsCircuitOpen,
            Submitted = _gate.Submitted,
            Rejected = _gate.Rejected,
            Retried = executor.Retried,
            WorkerRestarts = executor.WorkerRestarts,
            CircuitBreakerTrips = executor.CircuitBreakerTrips,
            Resumed = _context.Resumed,
            Recovered = _context.Recovered,
        });
    }

    public override IReadOnlyDictionary<long, TaskResult> GetResults() => _results.Snapshot();

    public override Task<PoolState> GetStateAsync() => _executor.GetStateAsync();

    /// <summary>The local pool that runs the journal's tasks: the pool's settings, minus what the journal and its gate do.</summary>
    private static WorkerPoolOptions ExecutorOptions(WorkerPoolOptions options)
    {
        var executor = options.Clone();
        executor.Persistence.Enabled = false;
        executor.QueueSize = 0;
        executor.MaxRetainedResults = 0;
        executor.OnTaskCompleted = null;
        return executor;
    }

    /// <summary>
    /// Drains once, whether the pool's stop or the system's shutdown asks first: waits for what was
    /// accepted, then for the journal to write it down. A system already gone has nothing left to wait for.
    /// </summary>
    private async Task DrainAsync()
    {
        _gate.Close();
        _journal.Tell(JournalStopping.Instance);
        var gone = _system.WhenTerminated;
        try
        {
            var limit = OptionLimits.Limit(_options.ShutdownTimeout) ?? Timeout.InfiniteTimeSpan;
            await Task.WhenAny(WaitAsync(CancellationToken.None), gone).WaitAsync(limit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // What did not finish stays unfinished in the journal and runs next time.
        }

        await _executor.StopAsync(CancellationToken.None).ConfigureAwait(false);
        var synced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _journal.Tell(new SyncJournal(synced));
        await Task.WhenAny(synced.Task, gone, _context.Lost.Task, Task.Delay(OptionLimits.Cap(_options.AskTimeout))).ConfigureAwait(false); // a failed journal's actor is gone
        _metrics.Dispose();
    }

    private async Task StopCoreAsync()
    {
        await _drain.Value.ConfigureAwait(false);
        try
        {
            await StopJournalAsync().ConfigureAwait(false);
        }
        finally
        {
            _context.Claim?.Dispose(); // stopped: the name is free for the next pool, even if the actor is slow to go
        }
    }

    private async Task StopJournalAsync()
    {
        if (_ownsSystem)
        {
            await Task.WhenAny(_system.Terminate(), Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
        }
        else if (!_system.WhenTerminated.IsCompleted)
        {
            try
            {
                await _journal.GracefulStop(OptionLimits.Cap(_options.AskTimeout)).ConfigureAwait(false);
            }
            catch (TaskCanceledException)
            {
                // The journal wrote what it had at the drain; a slow actor stop loses nothing.
            }
        }
    }
}
