using System.Diagnostics.CodeAnalysis;
using ActorPool.Actors;
using ActorPool.Admission;
using ActorPool.Configuration;
using ActorPool.Diagnostics;
using ActorPool.Messages;
using ActorPool.Outcomes;
using ActorPool.Work;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Engines;

/// <summary>
/// A pool in one process: the admission gate accepts tasks on the caller's thread, the
/// supervisor actor hands them to worker actors, and workers record outcomes.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "The stop disposes the meter; the pool's lifetime is its stop, not a using block.")]
internal sealed class LocalEngine : PoolEngine
{
    /// <summary>The most tasks <c>SubmitManyAsync</c> hands over at once.</summary>
    private const int MaxBatch = 4096;

    /// <summary>How long a stop waits for actors to stop after every outcome is recorded.</summary>
    /// <remarks>A task stuck in a blocking call keeps its worker, and so the system, alive; the stop does not wait for it.</remarks>
    private static readonly TimeSpan TerminationGrace = TimeSpan.FromSeconds(1);

    private readonly WorkerPoolOptions _options;
    private readonly string _name;
    private readonly ActorSystem? _system;
    private readonly bool _ownsSystem;
    private readonly IActorRef _supervisor = ActorRefs.Nobody;
    private readonly AdmissionGate _gate;
    private readonly ResultStore _results;
    private readonly PoolCounters _counters;

    /// <summary>The pool's deduplication keys; null for a pool with no workers.</summary>
    private readonly KeyTable? _keys;

    /// <summary>Admits a keyed task (made once: the keyed path allocates no delegate per submit).</summary>
    private readonly Func<WorkItem, CancellationToken, Task<long>?>? _admitKeyed;
    private readonly PoolMetrics? _metrics;

    /// <summary>Null for a pool with no workers, which refuses every task.</summary>
    private readonly PoolLifecycle? _lifecycle;

    /// <summary>Creates a local pool in <paramref name="system"/>, or in a system of its own when that is null.</summary>
    /// <param name="system">The actor system to run in, or null for one of its own.</param>
    /// <param name="options">Validated options.</param>
    /// <param name="name">The pool's name.</param>
    public LocalEngine(ActorSystem? system, WorkerPoolOptions options, string name)
        : this(system, PoolRuntime.Create(options, name))
    {
    }

    /// <summary>Creates the pool of <paramref name="runtime"/>, whose parts its caller made (a durable pool's gate posts to its journal).</summary>
    /// <param name="system">The actor system to run in, or null for one of its own.</param>
    /// <param name="runtime">The pool's parts.</param>
    public LocalEngine(ActorSystem? system, PoolRuntime runtime)
    {
        var options = runtime.Options;
        var name = runtime.Name;
        _options = options;
        _name = name;
        _gate = runtime.Gate;
        _counters = runtime.Counters;
        _keys = runtime.Keys;
        _admitKeyed = (keyed, token) => AdmitOnce(keyed, run: false, token);
        _results = runtime.Recorder.Store;
        _ownsSystem = system is null;
        _system = system ?? CreateOwnSystem(options);
        if (!_ownsSystem)
        {
            // Dispatchers named in our reference.conf (the blocking one) must resolve in a user's system too.
            _system.Settings.InjectTopLevelFallback(WorkerPoolSettings.ParseReference());
        }

        _supervisor = runtime.Spawn(_system);
        _metrics = new PoolMetrics(name, _counters, _gate, _results, _keys);
        runtime.Recorder.Metrics = _metrics;
        _lifecycle = new PoolLifecycle(_supervisor, _gate, runtime.PoolCancellation);
        CoordinatedShutdown.Get(_system).AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, $"actor-pool-{name}", _lifecycle.DrainForShutdownAsync);
        WarnIfDrainPhaseIsShort(_system, options, name);

        _ = WatchSupervisorAsync();
    }

    private LocalEngine(WorkerPoolOptions options, string name)
    {
        // Nothing will run, so there is nothing to measure: a refusing gate keeps the figures honest.
        _options = options;
        _name = name;
        _counters = new PoolCounters(0);
        _results = new ResultStore(options.MaxRetainedResults, options.TimeProvider);
        _gate = AdmissionGate.Refusing(name, RejectionReason.NoWorkers);
    }

    public override int Workers => _counters.TargetWorkers;

    public override IActorRef Supervisor => _supervisor;

    public override ActorSystem? System => _system;

    /// <summary>What <see cref="SubmitRun"/> returns for a task waiting in line: nothing to await but the task itself.</summary>
    private static readonly Task<long> WaitingInLine = Task.FromResult(0L);

    /// <summary>A pool with no workers: every submit is refused with <see cref="RejectionReason.NoWorkers"/>.</summary>
    public static LocalEngine RefusingAll(WorkerPoolOptions options, string name) => new(options, name);

    public override void Start(CancellationToken cancellationToken) => _lifecycle?.Start(cancellationToken);

    public override bool Accepting => !_gate.IsClosed;

    public override Task<long> Submit(WorkItem item, CancellationToken cancellationToken) => Admit(item, run: false, cancellationToken) ?? Task.FromResult(item.Id);

    public override Task? SubmitRun(WorkItem item, CancellationToken cancellationToken) => Admit(item, run: true, cancellationToken);

    /// <summary>
    /// Null when the task was accepted at once, else the refusal or the wait for room. A
    /// <c>RunAsync</c> task that waits in line gets a completed task back: its caller awaits the
    /// task itself, which carries a later refusal, so the wait costs no task of its own.
    /// </summary>
    private Task<long>? Admit(WorkItem item, bool run, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            _gate.CountRefused();
            return Task.FromCanceled<long>(cancellationToken);
        }

        if (item.DedupKey is not null && _keys is not null)
        {
            // A keyed submit that waits for room learns its fate through a task, which its joiners share.
            return _keys.Admit(item, _admitKeyed!, cancellationToken);
        }

        return AdmitOnce(item, run, cancellationToken);
    }

    private Task<long>? AdmitOnce(WorkItem item, bool run, CancellationToken cancellationToken)
    {
        var admission = _gate.TryAdmit(item, mayWait: true);
        switch (admission)
        {
            case AdmissionResult.Accepted:
                return null;
            case AdmissionResult.NeedsRoom when run:
                _gate.AdmitWhenRoom(item, cancellationToken);
                return WaitingInLine;
            case AdmissionResult.NeedsRoom:
                return _gate.AdmitWhenRoomAsync(item, cancellationToken);
            default:
                return Task.FromException<long>(_gate.Rejection(admission));
        }
    }

    public override bool TrySubmit(WorkItem item) => item.DedupKey is not null && _keys is not null
        ? _keys.TryAdmit(item, keyed => _gate.TryAdmit(keyed, mayWait: false), _gate.Refusal)
        : _gate.TryAdmit(item, mayWait: false) == AdmissionResult.Accepted;

    public override async Task<IReadOnlyList<long>> SubmitMany(int total, Func<int, WorkItem> itemAt, CancellationToken cancellationToken)
    {
        // Made once: whether the tasks carry a key decides the path, and the item is the first task either way.
        var first = total > 0 ? itemAt(0) : null;
        if (first?.DedupKey is not null && _keys is not null)
        {
            return await SubmitKeyedMany(total, first, itemAt, cancellationToken).ConfigureAwait(false);
        }

        var ids = new long[total];
        var next = 0;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var buffer = new WorkItem[Math.Min(total, MaxBatch)];

            // buffer[..made] holds tasks made but not yet offered, for positions next onwards: a wait for room keeps them.
            var made = 0;
            while (next < total)
            {
                var count = Math.Min(buffer.Length, total - next);
                for (var i = made; i < count; i++)
                {
                    buffer[i] = next + i == 0 ? first! : itemAt(next + i);
                }

                made = 0;
                var accepted = _gate.AdmitMany(buffer.AsSpan(0, count), out var stoppedAt, out var settled);
                for (var i = 0; i < accepted; i++)
                {
                    ids[next + i] = buffer[i].Id;
                }

                if (stoppedAt == AdmissionResult.NeedsRoom)
                {
                    // What was handed over can start and free the room this one waits for.
                    var waiting = buffer[accepted];
                    made = count - accepted - 1;
                    Array.Copy(buffer, accepted + 1, buffer, 0, made);
                    next += accepted + 1;
                    await _gate.AdmitWhenRoomAsync(waiting, cancellationToken).ConfigureAwait(false);
                    ids[next - 1] = waiting.Id;
                    continue;
                }

                // Withdrawn tasks (a close in between) are already counted; the rest are counted below.
                next += settled;
                if (stoppedAt != AdmissionResult.Accepted)
                {
                    throw _gate.Rejection(stoppedAt);
                }
            }
        }
        finally
        {
            // Tasks never offered still count as submitted and rejected, so the books balance.
            _gate.CountRefused(total - next);
        }

        return ids;
    }

    /// <summary>Tasks sharing one key: the first holds it, the rest join it one by one.</summary>
    private async Task<IReadOnlyList<long>> SubmitKeyedMany(int total, WorkItem first, Func<int, WorkItem> itemAt, CancellationToken cancellationToken)
    {
        var ids = new long[total];
        var next = 0;
        try
        {
            for (; next < total; next++)
            {
                ids[next] = await Submit(next == 0 ? first : itemAt(next), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // The one that failed counted itself; those never offered still count as submitted and rejected.
            _gate.CountRefused(Math.Max(0, total - next - 1));
        }

        return ids;
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        if (_lifecycle is null)
        {
            return Task.CompletedTask;
        }

        var stop = _lifecycle.StopOnce(StopCoreAsync);
        if (stop.IsCompleted || !cancellationToken.CanBeCanceled)
        {
            return stop;
        }

        return WaitForStopAsync(stop, cancellationToken);
    }

    public override Task WaitAsync(CancellationToken cancellationToken)
    {
        if (_lifecycle is null)
        {
            return Task.CompletedTask;
        }

        var reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _supervisor.Tell(new AwaitOutcomes(reply, _gate.LastIssuedId));

        // Read after the tell: a stop that began earlier may have stopped the supervisor before
        // it saw the message, and once that stop ends every outcome is recorded anyway.
        var stop = _lifecycle.StopTask;
        var done = stop is null ? reply.Task : Task.WhenAny(reply.Task, stop);
        return done.WaitAsync(cancellationToken);
    }

    public override void Resize(int workers)
    {
        if (_lifecycle is null)
        {
            throw new InvalidOperationException("A pool created with no workers cannot be resized; create it with workers > 0.");
        }

        _counters.PublishTarget(workers);
        _supervisor.Tell(new ResizePool(workers));
    }

    public override PoolStats GetStats() => _results.AddTo(new PoolStats
    {
        Workers = _counters.Workers,
        ActiveWorkers = _counters.ActiveWorkers,
        Queued = _counters.Queued,
        QueueCapacity = _options.QueueSize,
        IsStopped = _gate.IsClosed,
        IsCircuitOpen = _counters.CircuitOpen,
        Submitted = _gate.Submitted,
        Rejected = _gate.Rejected,
        Deduplicated = _keys?.Joined ?? 0,
        WaitingForKey = _counters.WaitingForKey,
        Delayed = _counters.Delayed,
        Retried = _counters.Retried,
        WorkerRestarts = _counters.WorkerRestarts,
        CircuitBreakerTrips = _counters.CircuitBreakerTrips,
    });

    public override IReadOnlyDictionary<long, TaskResult> GetResults() => _results.Snapshot();

    public override (TaskResult Result, TaskOptions? Options)? FindResult(long id) => _results.Find(id);

    public override Diagnostics.ResultPage PageResults(TaskOutcome? outcome, int skip, int take) => _results.Page(outcome, skip, take);

    public override Task<bool> CancelAsync(long id, CancellationToken cancellationToken)
    {
        if (_system is null)
        {
            return Task.FromResult(false); // a pool that refuses every task has none to cancel
        }

        var reply = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _supervisor.Tell(new CancelTask(id, reply));
        return AnswerAsync(reply.Task, false, cancellationToken);
    }

    public override Task<IReadOnlyList<PendingTask>> GetPendingAsync(int max, CancellationToken cancellationToken)
    {
        if (_system is null)
        {
            return Task.FromResult<IReadOnlyList<PendingTask>>([]);
        }

        var reply = new TaskCompletionSource<IReadOnlyList<PendingTask>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _supervisor.Tell(new ListPending(max, reply));
        return AnswerAsync(reply.Task, [], cancellationToken);
    }

    /// <summary>The supervisor's answer; once it has stopped with its system, nothing waits or runs, so the answer is <paramref name="stopped"/>.</summary>
    private async Task<T> AnswerAsync<T>(Task<T> reply, T stopped, CancellationToken cancellationToken)
    {
        var first = await Task.WhenAny(reply, _system!.WhenTerminated).WaitAsync(OptionLimits.Cap(_options.AskTimeout), cancellationToken).ConfigureAwait(false);
        return first == reply ? await reply.ConfigureAwait(false) : stopped;
    }

    public override async Task<PoolState> GetStateAsync()
    {
        var reply = new TaskCompletionSource<PoolState>(TaskCreationOptions.RunContinuationsAsynchronously);
        _supervisor.Tell(new GetPoolState(reply));
        return await reply.Task.WaitAsync(OptionLimits.Cap(_options.AskTimeout)).ConfigureAwait(false);
    }

    private async Task StopCoreAsync()
    {
        // A system that terminated first has stopped the supervisor, which recorded what was left.
        var terminated = _system!.WhenTerminated;
        await Task.WhenAny(_lifecycle!.DrainAsync(), terminated).ConfigureAwait(false);
        if (terminated.IsCompleted)
        {
            Release();
            return;
        }

        if (_ownsSystem)
        {
            // Drained: nothing is left for CoordinatedShutdown's phases, so terminate without them
            // (a dozen phase hops cost a loaded machine tens of milliseconds of the stop).
            await Task.WhenAny(_system.Terminate(), Task.Delay(TerminationGrace)).ConfigureAwait(false);
        }
        else
        {
            try
            {
                // A worker stuck in a blocking task cannot stop, nor its supervisor; every outcome
                // is recorded already, so the stop does not wait for them past the grace.
                var grace = _options.AskTimeout < TerminationGrace ? _options.AskTimeout : TerminationGrace;
                await _supervisor.GracefulStop(grace).ConfigureAwait(false);
            }
            catch (TaskCanceledException)
            {
                // Every outcome is already recorded; a slow actor stop loses nothing.
            }
        }

        Release();
    }

    private void Release()
    {
        _lifecycle!.Release();
        _metrics?.Dispose();
    }

    private async Task WaitForStopAsync(Task stop, CancellationToken cancellationToken)
    {
        await using (cancellationToken.Register(static state => ((IActorRef)state!).Tell(ForceStop.Instance), _supervisor).ConfigureAwait(false))
        {
            await stop.ConfigureAwait(false);
        }
    }

    /// <summary>Notices a supervisor that stopped without being asked (it failed to start): the pool refuses new work loudly.</summary>
    private async Task WatchSupervisorAsync()
    {
        bool terminated;
        try
        {
            terminated = await _supervisor.WatchAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            return; // the system is going away; its own shutdown drains the pool
        }

        if (terminated && _lifecycle is { StopRequested: false } && _gate.Close())
        {
            _system?.Log.Error("Pool {0}: its supervisor stopped unexpectedly; the pool accepts no more tasks", _name);
        }
    }
}
