using System.Diagnostics.CodeAnalysis;
using ActorPool.Actors;
using ActorPool.Admission;
using ActorPool.Configuration;
using ActorPool.Durable;
using ActorPool.Messages;
using ActorPool.Serialization;
using Akka;
using Akka.Actor;
using Inbox = ActorPool.Admission.Inbox;

namespace ActorPool.Engines;

/// <summary>
/// A durable pool: the pool's own gate, supervisor and workers, with its journal between the gate
/// and the supervisor. The journal writes each admitted named task down before its submit returns
/// and then hands it to the supervisor; the workers record its outcome as for any pool, and the
/// journal writes starts and outcomes behind. After a crash it hands back every task without an outcome.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "The stop releases what the pool holds; the pool's lifetime is its stop.")]
internal sealed class DurableEngine : NamedTaskEngine, Schedules.IScheduleJournal
{
    private readonly WorkerPoolOptions _options;
    private readonly ActorSystem _system;
    private readonly bool _ownsSystem;
    private readonly AdmissionGate _gate;
    private readonly KeyTable _keys;
    private readonly Once _drain;

    /// <summary>The pool that runs the tasks: one gate, queue, supervisor and outcome recorder.</summary>
    private readonly LocalEngine _pool;
    private readonly JournalContext _context;
    private readonly IActorRef _journal;
    private readonly Once _stop;

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
        }

        PoolMessageSerializer.Bind((ExtendedActorSystem)_system);
        var journalInbox = new Inbox();
        var feed = new JournalFeed { DefaultWindow = options.DeduplicationWindow };
        var runtime = PoolRuntime.Create(options, name, journal: new JournalHooks(journalInbox, feed.Started, feed.Recorded));
        feed.Store = runtime.Recorder.Store;
        _gate = runtime.Gate;
        _keys = runtime.Keys;
        _pool = new LocalEngine(_system, runtime);
        _drain = new Once(DrainAsync);
        _stop = new Once(StopCoreAsync);
        _context = new JournalContext
        {
            Name = name,
            Options = options,
            Inbox = journalInbox,
            Pool = runtime.Inbox,
            Supervisor = _pool.Supervisor,
            Gate = _gate,
            Recorder = runtime.Recorder,
            Keys = runtime.Keys,
            JournalPluginId = JournalSetup.JournalPluginId,
            SnapshotPluginId = JournalSetup.SnapshotPluginId,
            Claim = claim,
        };
        _journal = _system.ActorOf(JournalActor.Props(_context), $"{name}-journal");
        journalInbox.Supervisor = _journal;
        feed.Journal = _journal;
        CoordinatedShutdown.Get(_system).AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, $"actor-pool-{name}-journal", async () =>
        {
            await _drain.Run().ConfigureAwait(false);
            return Done.Instance;
        });
    }

    public override int Workers => _pool.Workers;

    public override Schedules.IScheduleJournal ScheduleJournal => this;

    async Task<IReadOnlyList<DurableSchedule>> Schedules.IScheduleJournal.ReadAsync()
    {
        await _context.Ready.Task.ConfigureAwait(false);
        return _context.Schedules;
    }

    void Schedules.IScheduleJournal.Saved(DurableSchedule schedule) => _journal.Tell(new ScheduleSaved(schedule));

    void Schedules.IScheduleJournal.Removed(string id) => _journal.Tell(new ScheduleRemoved(id));

    public override IActorRef Supervisor => _journal;

    public override ActorSystem? System => _system;

    protected override AdmissionGate Gate => _gate;

    protected override KeyTable? Keys => _keys;

    protected override Task? KeysReady => _context.Ready.Task;

    public override void Start(CancellationToken cancellationToken) => _pool.Start(cancellationToken);

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        _gate.Close();
        var stop = _stop.Run();
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

    public override void Resize(int workers) => _pool.Resize(workers);

    public override PoolStats GetStats() => _pool.GetStats() with
    {
        Resumed = _context.Resumed,
        Recovered = _context.Recovered,
    };

    public override IReadOnlyDictionary<long, TaskResult> GetResults() => _pool.GetResults();

    public override (TaskResult Result, TaskOptions? Options)? FindResult(long id) => _pool.FindResult(id);

    public override Diagnostics.ResultPage PageResults(TaskOutcome? outcome, int skip, int take) => _pool.PageResults(outcome, skip, take);

    /// <summary>
    /// A waiting task's cancel is written before the call returns (outcomes are otherwise journaled
    /// behind), so a crash right after it cannot run the task again; a running one's is journaled when it ends.
    /// </summary>
    public override async Task<bool> CancelAsync(long id, CancellationToken cancellationToken)
    {
        if (!await _pool.CancelAsync(id, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _journal.Tell(new SyncJournal(written));
        await Task.WhenAny(written.Task, _context.Lost.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public override Task<IReadOnlyList<Diagnostics.PendingTask>> GetPendingAsync(int max, CancellationToken cancellationToken) => _pool.GetPendingAsync(max, cancellationToken);

    public override Task<PoolState> GetStateAsync() => _pool.GetStateAsync();

    /// <summary>
    /// Drains once, whether the pool's stop or the system's shutdown asks first: waits for what was
    /// accepted, then for the journal to write it down. A system already gone has nothing left to wait for.
    /// </summary>
    private async Task DrainAsync()
    {
        _gate.Close();
        _journal.Tell(JournalStopping.Instance);
        _pool.Supervisor.Tell(StopDelays.Instance); // after the journal knows: what is cancelled now runs after the restart
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

        await _pool.StopAsync(CancellationToken.None).ConfigureAwait(false);
        var synced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _journal.Tell(new SyncJournal(synced));
        await Task.WhenAny(synced.Task, gone, _context.Lost.Task, Task.Delay(OptionLimits.Cap(_options.AskTimeout))).ConfigureAwait(false); // a failed journal's actor is gone
    }

    private async Task StopCoreAsync()
    {
        await _drain.Run().ConfigureAwait(false);
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
