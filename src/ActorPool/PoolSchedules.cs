using ActorPool.Named;
using ActorPool.Schedules;

namespace ActorPool;

/// <summary>
/// A pool's recurring tasks: cron schedules whose every occurrence submits one task through the
/// pool's own path, with the pool's options, limits and outcomes. Reached as <see cref="WorkerPool.Schedules"/>.
/// </summary>
/// <remarks>
/// <para>Time is the pool's <see cref="WorkerPoolOptions.TimeProvider"/>: a test that gives the pool a
/// <c>FakeTimeProvider</c> runs a day of schedules as fast as it advances that clock.</para>
/// <para>Schedules fire once the pool is started and stop firing when it stops; on a cluster, only on the node
/// that holds the pool's schedule singleton. Every member is thread-safe.</para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "The pool's stop releases the timer and the meter; the schedules live as long as their pool.")]
public sealed class PoolSchedules
{
    /// <summary>Longest a timer is set for: a wall clock that jumps is read again at least this often.</summary>
    private static readonly TimeSpan MaxArm = TimeSpan.FromHours(1);

    private readonly Lock _bookLock = new();

    /// <summary>Guarded by <see cref="_bookLock"/>.</summary>
    private readonly ScheduleBook _book = new();

    private readonly TimeProvider _time;
    private readonly StartRun _startRun;
    private readonly WorkerPoolOptions _options;
    private readonly string _pool;
    private readonly bool _closuresAllowed;
    private readonly TimeSpan? _occurrenceKeyWindow;
    private readonly Func<bool> _accepting;
    private readonly bool _clustered;

    /// <summary>
    /// A durable cluster's journal keeps each run's occurrence key for the key window: a node that
    /// takes the schedules over fires again what fell due that long before, and the supervisor joins
    /// what already ran, so a failover loses no occurrence. Without a journal nothing could join, so none is fired again.
    /// </summary>
    private readonly TimeSpan _catchUpOnDrive;
    private readonly IScheduleJournal? _journal;
    private readonly Action<string> _warn;
    private readonly Diagnostics.ScheduleMetrics _metrics;
    private ITimer? _timer;
    private bool _started;
    private bool _restoredDone;

    /// <summary>Whether this node fires the schedules: always for a local pool; on a cluster, while it holds their singleton.</summary>
    private bool _driving;
    private bool _stopped;

    internal PoolSchedules(WorkerPoolOptions options, string pool, StartRun startRun, Func<bool> accepting, bool closuresAllowed, TimeSpan? occurrenceKeyWindow, IScheduleJournal? journal, Action<string> warn)
    {
        _journal = journal;
        _warn = warn;
        _metrics = new Diagnostics.ScheduleMetrics(pool, List);
        _restoredDone = journal is null;
        _accepting = accepting;
        _clustered = options.Cluster.Enabled;
        _driving = !_clustered;
        _catchUpOnDrive = _clustered && options.Persistence.Enabled && occurrenceKeyWindow is { } window ? window : TimeSpan.Zero;
        _options = options;
        _time = options.TimeProvider;
        _pool = pool;
        _startRun = startRun;
        _closuresAllowed = closuresAllowed;
        _occurrenceKeyWindow = occurrenceKeyWindow;
        Restored = journal is null ? Task.CompletedTask : RestoreAsync(journal); // last: it reads the fields above
    }

    /// <summary>How many schedules the pool has.</summary>
    public int Count
    {
        get
        {
            lock (_bookLock)
            {
                return _book.Count;
            }
        }
    }

    /// <summary>Adds a schedule that runs a named task, or updates the one with this id.</summary>
    /// <param name="id">The schedule's id, unique in the pool; at most 256 characters.</param>
    /// <param name="cron">A cron expression: five fields (minute to day of week), or six with seconds first; <c>@daily</c> and the other macros too.</param>
    /// <param name="handler">The handler each run calls (see <see cref="WorkerPoolOptions.Handlers"/>).</param>
    /// <param name="payload">The handler's input for every run; serialized as JSON now.</param>
    /// <param name="options">The time zone, overlap and misfire rules and the options of each run; null for the defaults.</param>
    /// <exception cref="ArgumentException">The id, cron expression, time zone, handler, payload or an option is invalid, or a schedule with this id runs another handler; the message names it.</exception>
    /// <remarks>An update keeps the schedule's figures and, unless the expression or time zone changed, its next occurrence.</remarks>
    public void AddOrUpdate(string id, string cron, string handler, object? payload = null, ScheduleOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(handler);
        var named = _options.Handlers.Require(handler, _pool, nameof(handler));

        Set(ScheduleDefinition.Named(id, cron, handler, PayloadCodec.EncodePayload(named, payload), options), nameof(handler));
    }

    /// <summary>Adds a schedule that runs a closure, or updates the one with this id; for a local pool only.</summary>
    /// <param name="id">The schedule's id, unique in the pool.</param>
    /// <param name="cron">A cron expression, as for the named overload.</param>
    /// <param name="task">The work each run does.</param>
    /// <param name="options">The time zone, overlap and misfire rules and the options of each run; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="ArgumentException">As for the named overload.</exception>
    /// <exception cref="NotSupportedException">The pool is durable or clustered: a journal or another node cannot carry a closure, so give a handler.</exception>
    public void AddOrUpdate(string id, string cron, Func<CancellationToken, Task> task, ScheduleOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!_closuresAllowed)
        {
            throw new NotSupportedException($"Pool '{_pool}' is durable or clustered: schedule '{id}' must run a named task (AddOrUpdate(id, cron, handler, payload)), which its journal and other nodes can carry.");
        }

        Set(ScheduleDefinition.OfClosure(id, cron, task, options), nameof(task));
    }

    /// <summary>The schedules of <see cref="WorkerPoolOptions.Schedules"/>, checked against the registered handlers.</summary>
    /// <exception cref="ArgumentException">A declaration names no registered handler, or its payload is not JSON for that handler; the message names the schedule.</exception>
    internal static List<ScheduleDefinition> Declared(WorkerPoolOptions options, string pool)
    {
        var declared = new List<ScheduleDefinition>(options.Schedules.Count);
        foreach (var (id, declaration) in options.Schedules)
        {
            var name = $"{nameof(WorkerPoolOptions.Schedules)}[{id}]";
            if (!options.Handlers.TryGet(declaration.Handler, out var named))
            {
                throw new ArgumentException($"{name}: no task handler named '{declaration.Handler}' is registered with pool '{pool}'.", nameof(options));
            }

            object? payload;
            try
            {
                payload = declaration.Payload is null ? null : PayloadCodec.Deserialize(System.Text.Encoding.UTF8.GetBytes(declaration.Payload), named.PayloadType);
            }
            catch (System.Text.Json.JsonException error)
            {
                throw new ArgumentException($"{name}: the payload is not JSON for the handler's {named.PayloadType.Name}: {error.Message}", nameof(options), error);
            }

            declared.Add(ScheduleDefinition.Named(id, declaration.Cron, declaration.Handler, PayloadCodec.EncodePayload(named, payload), declaration.ToOptions()));
        }

        return declared;
    }

    /// <summary>Adds the pool's declared schedules, before it starts.</summary>
    internal void Declare(IEnumerable<ScheduleDefinition> declared)
    {
        foreach (var definition in declared)
        {
            Set(definition, "options");
        }
    }

    /// <summary>Removes a schedule; a run already started goes on.</summary>
    /// <param name="id">The schedule's id.</param>
    /// <returns>True when there was such a schedule.</returns>
    public bool Remove(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        bool removed;
        lock (_bookLock)
        {
            removed = _book.Remove(id);
            ArmLocked();
        }

        if (removed)
        {
            _journal?.Removed(id);
        }

        return removed;
    }

    /// <summary>Runs a schedule's task now, once, outside its expression and its overlap rule; its next occurrence stays as it was.</summary>
    /// <param name="id">The schedule's id.</param>
    /// <returns>The id of the task, once the pool accepted it.</returns>
    /// <exception cref="KeyNotFoundException">No schedule has this id; the message names it.</exception>
    /// <exception cref="SubmitRejectedException">The pool did not accept the task.</exception>
    public Task<long> TriggerNow(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        ScheduleFire fire;
        lock (_bookLock)
        {
            var entry = _book.Find(id) ?? throw new KeyNotFoundException($"Pool '{_pool}' has no schedule '{id}'.");
            fire = ScheduleBook.Trigger(entry);
        }

        return Launch(fire, wantId: true)!;
    }

    /// <summary>Every schedule with its next and last run and its figures, in order of id.</summary>
    /// <returns>A snapshot; changing the pool's schedules does not change it.</returns>
    public IReadOnlyList<ScheduleInfo> List()
    {
        lock (_bookLock)
        {
            return _book.List();
        }
    }

    /// <summary>The schedules' figures for the pool's stats: count, next occurrence of any, late runs.</summary>
    internal (int Count, DateTimeOffset? NextRun, long LateFires) Figures()
    {
        lock (_bookLock)
        {
            return (_book.Count, _book.NextWake, _book.LateFires);
        }
    }

    /// <summary>The pool started: occurrences from now on run, and for a durable pool those due since the newest that ran.</summary>
    internal void Start()
    {
        lock (_bookLock)
        {
            if (_stopped || _started)
            {
                return;
            }

            _started = true;
        }

        StartTimer();
    }

    /// <summary>Completes once a durable pool's schedules are read back from its journal (at once for other pools); <c>WaitAsync</c> waits for it.</summary>
    internal Task Restored { get; }

    /// <summary>Reads a durable pool's schedules back as soon as its journal is read, started or not; the timer waits for it.</summary>
    private async Task RestoreAsync(IScheduleJournal journal)
    {
        IReadOnlyList<Durable.DurableSchedule> recovered;
        try
        {
            recovered = await journal.ReadAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            return; // the journal cannot be read: the pool refuses every submit and says why
        }

        lock (_bookLock)
        {
            _restoredDone = true;
            foreach (var schedule in recovered)
            {
                try
                {
                    _book.Restore(ScheduleDefinition.FromDurable(schedule), schedule.LastOccurrence, _time.GetUtcNow());
                }
                catch (ArgumentException error)
                {
                    _warn($"Pool {_pool}: schedule '{schedule.Id}' read back from the journal cannot run here and is left out: {error.Message}");
                }
            }
        }

        StartTimer();
    }

    /// <summary>This node took the schedules' singleton: it fires from now on, the occurrences before now were the previous holder's.</summary>
    internal void Drive()
    {
        lock (_bookLock)
        {
            _driving = true;
            _book.ResumeFrom(_time.GetUtcNow(), _catchUpOnDrive);
        }

        StartTimer();
    }

    /// <summary>This node let the schedules' singleton go: another node fires them now.</summary>
    internal void Pause()
    {
        lock (_bookLock)
        {
            _driving = false;
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>Whether this node fires the schedules now.</summary>
    internal bool Driving
    {
        get
        {
            lock (_bookLock)
            {
                return _driving && _timer is not null;
            }
        }
    }

    private void StartTimer()
    {
        lock (_bookLock)
        {
            if (_stopped || !_started || !_driving || !_restoredDone || _timer is not null)
            {
                return;
            }

            _timer = _time.CreateTimer(_ => Tick(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            ArmLocked();
        }
    }

    /// <summary>The pool stops: no occurrence runs after this.</summary>
    internal void Stop()
    {
        lock (_bookLock)
        {
            _stopped = true;
            _timer?.Dispose();
            _timer = null;
        }

        _metrics.Dispose();
    }

    private void Set(ScheduleDefinition definition, string paramName)
    {
        lock (_bookLock)
        {
            if (_book.Conflict(definition) is { } conflict)
            {
                throw new ArgumentException(conflict, paramName);
            }

            _book.Set(definition, _time.GetUtcNow());
            ArmLocked();
        }

        _journal?.Saved(definition.ToDurable());
    }

    private void Tick()
    {
        List<ScheduleFire> fires;
        lock (_bookLock)
        {
            if (_stopped || !_driving || !_accepting())
            {
                // A host's shutdown closes the pool without its stop: nothing due now could be accepted.
                return;
            }

            fires = _book.Due(_time.GetUtcNow());
            ArmLocked();
        }

        foreach (var fire in fires)
        {
            Launch(fire, wantId: false);
        }
    }

    private void ArmLocked()
    {
        if (_timer is null)
        {
            return;
        }

        if (_book.NextWake is not { } wake)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var due = wake - _time.GetUtcNow();
        _timer.Change(due <= TimeSpan.Zero ? TimeSpan.Zero : due > MaxArm ? MaxArm : due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Hands the run to the pool; what a run throws is its task's outcome, never the schedule's.</summary>
    /// <returns>With <paramref name="wantId"/>, the task's id once accepted (or why it was not); else null.</returns>
    private Task<long>? Launch(ScheduleFire fire, bool wantId)
    {
        var end = new RunEnd(() => Ended(fire));
        Task<long> accepted;
        try
        {
            accepted = _startRun(fire.Definition, fire.Occurrence, end);
        }
        catch (Exception error)
        {
            // Refused at once (the pool stops, or a payload no longer fits): nothing runs, and a timer's thread must not see it.
            end.Signal();
            return wantId ? Task.FromException<long>(error) : null;
        }

        if (accepted.IsCompletedSuccessfully)
        {
            Accepted(fire, accepted.Result);
        }
        else
        {
            _ = FollowAcceptanceAsync(fire, accepted, end);
        }

        return wantId ? accepted : null;
    }

    private async Task FollowAcceptanceAsync(ScheduleFire fire, Task<long> accepted, RunEnd end)
    {
        try
        {
            Accepted(fire, await accepted.ConfigureAwait(false));
        }
        catch (Exception)
        {
            // Refused: the pool counted it; the schedule is free again.
            end.Signal();
        }
    }

    private void Accepted(ScheduleFire fire, long id)
    {
        lock (_bookLock)
        {
            fire.Entry.LastTaskId = id;
        }
    }

    /// <summary>Called on the thread that recorded the run's outcome: the bookkeeping is done here, a run that waited for this one starts off it.</summary>
    private void Ended(ScheduleFire fire)
    {
        ScheduleFire? next;
        lock (_bookLock)
        {
            next = _stopped ? null : _book.Ended(fire.Entry, _time.GetUtcNow());
        }

        if (next is { } waiting)
        {
            ThreadPool.QueueUserWorkItem(state => state.Schedules.Launch(state.Fire, wantId: false), (Schedules: this, Fire: waiting), preferLocal: false);
        }
    }

    /// <summary>The deduplication key of one occurrence: a host that fires it again after a restart or a failover joins the first run.</summary>
    internal static string OccurrenceKey(string id, DateTimeOffset occurrence) => $"schedule:{id}@{occurrence.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}";

    /// <summary>How long an occurrence's key stays taken after its run ends.</summary>
    internal TimeSpan? OccurrenceKeyWindow => _occurrenceKeyWindow;
}
