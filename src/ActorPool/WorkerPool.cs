using System.Globalization;
using ActorPool.Actors;
using ActorPool.Configuration;
using ActorPool.Diagnostics;
using ActorPool.Messages;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;

namespace ActorPool;

/// <summary>
/// A pool of actor workers that runs submitted tasks with bounded concurrency, records exactly
/// one outcome per accepted task, and stops gracefully.
/// </summary>
/// <remarks>
/// <para>Inside, a supervisor actor owns the queue, a round-robin router of worker actors and a
/// result aggregator. <c>new WorkerPool(...)</c> runs on an <see cref="ActorSystem"/> of its own
/// that stopping terminates; <see cref="Create(ActorSystem, WorkerPoolOptions, string)"/> puts
/// the pool into an existing system and leaves that system running.</para>
/// <para>Every member is safe to call from any thread.</para>
/// </remarks>
public sealed class WorkerPool : IWorkerPool, IAsyncDisposable
{
    private const string OwnSystemName = "actor-pool";
    private const string OwnPoolName = "pool";

    /// <summary>The most tasks <see cref="SubmitManyAsync"/> puts in one message.</summary>
    private const int MaxBatch = 4096;

    private static readonly Task<bool> TrueTask = Task.FromResult(true);
    private static readonly Task<bool> FalseTask = Task.FromResult(false);

    private readonly WorkerPoolOptions _options;
    private readonly ActorSystem? _system;
    private readonly bool _ownsSystem;
    private readonly IActorRef _supervisor = ActorRefs.Nobody;

    /// <summary>Null for a pool with no workers, which refuses every task.</summary>
    private readonly PoolLifecycle? _lifecycle;

    /// <summary>Queue slots for the Block overflow policy; null when the queue is unbounded.</summary>
    private readonly SemaphoreSlim? _room;

    private readonly ResultStore _results;
    private readonly PoolCounters _counters = new();
    private readonly PoolMetrics? _metrics;

    /// <summary>The last task id handed out.</summary>
    private long _lastId;
    private int _targetWorkers;
    private CancellationTokenRegistration _startRegistration;
    private int _started;
    private Task? _stopTask;

    /// <summary>Creates a pool with <paramref name="workers"/> workers on an actor system of its own.</summary>
    /// <param name="workers">The number of workers. Zero or fewer gives a pool that rejects every submit with <see cref="RejectionReason.NoWorkers"/>; this constructor never throws.</param>
    public WorkerPool(int workers)
    {
        _options = new WorkerPoolOptions { Workers = Math.Max(workers, 1) };
        Name = OwnPoolName;
        if (workers <= 0)
        {
            // Nothing will run, so nothing to measure: a bare store keeps GetResults and GetStats working.
            _results = new ResultStore(_options.MaxRetainedResults);
            return;
        }

        _targetWorkers = workers;
        (_results, _metrics) = CreateResults(Name, _options, _counters);
        _system = CreateOwnSystem(_options);
        _ownsSystem = true;
        (_supervisor, _lifecycle, _room) = Spawn(_system, _options, Name, _results, _counters);
    }

    /// <summary>Creates a pool from <paramref name="options"/> on an actor system of its own.</summary>
    /// <param name="options">The settings; they are copied, so later changes do not affect the pool.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid; <see cref="ArgumentException.ParamName"/> names it.</exception>
    public WorkerPool(WorkerPoolOptions options)
        : this(null, ValidatedCopy(options), OwnPoolName)
    {
    }

    private WorkerPool(ActorSystem? system, WorkerPoolOptions options, string name)
    {
        _options = options;
        Name = name;
        (_results, _metrics) = CreateResults(name, options, _counters);
        _ownsSystem = system is null;
        _targetWorkers = options.Workers;
        _system = system ?? CreateOwnSystem(options);
        (_supervisor, _lifecycle, _room) = Spawn(_system, options, name, _results, _counters);
    }

    /// <summary>The pool's name: its supervisor actor's name in the actor system.</summary>
    public string Name { get; }

    /// <summary>The number of workers the pool has or is resizing to (0 for a pool that rejects every task).</summary>
    public int Workers => Volatile.Read(ref _targetWorkers);

    /// <summary>The supervisor actor, for tests and for code that talks to the pool by message.</summary>
    internal IActorRef Supervisor => _supervisor;

    /// <summary>The actor system the pool runs on; null for a pool with no workers.</summary>
    internal ActorSystem? System => _system;

    /// <summary>Creates a pool inside an existing actor system; stopping the pool leaves the system running.</summary>
    /// <param name="system">The actor system to run in. Its CoordinatedShutdown drains the pool in the <c>service-requests-done</c> phase.</param>
    /// <param name="options">The settings; they are copied.</param>
    /// <param name="name">The supervisor actor's name, unique among the system's top-level actors.</param>
    /// <returns>The pool; call <see cref="Start"/> to let tasks run.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid, or <paramref name="name"/> is empty.</exception>
    /// <exception cref="InvalidActorNameException"><paramref name="name"/> is not a valid actor name or is taken.</exception>
    public static WorkerPool Create(ActorSystem system, WorkerPoolOptions options, string name)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new WorkerPool(system, ValidatedCopy(options), name);
    }

    /// <summary>Creates a pool inside an existing actor system with options read from its <c>actor-pool { }</c> config.</summary>
    /// <param name="system">The actor system to run in.</param>
    /// <param name="name">The supervisor actor's name.</param>
    /// <returns>The pool; call <see cref="Start"/> to let tasks run.</returns>
    /// <exception cref="ConfigurationException">A key holds an invalid value; the message names it.</exception>
    public static WorkerPool Create(ActorSystem system, string name)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Create(system, WorkerPoolOptions.FromConfig(system.Settings.Config), name);
    }

    /// <summary>Lets accepted tasks run. Idempotent; tasks submitted before it wait in the queue.</summary>
    /// <param name="cancellationToken">
    /// The pool's lifetime token: when it fires, running tasks see their token cancelled, queued
    /// tasks are recorded <see cref="TaskOutcome.Cancelled"/> without running, and new submits are rejected.
    /// </param>
    public void Start(CancellationToken cancellationToken = default)
    {
        if (_lifecycle is null || Volatile.Read(ref _stopTask) is not null || Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }

        if (cancellationToken.CanBeCanceled)
        {
            _startRegistration = cancellationToken.Register(static state => ((PoolLifecycle)state!).CancelFromStartToken(), _lifecycle);
        }

        _supervisor.Tell(StartPool.Instance);
    }

    /// <summary>Submits a task and returns its id once the pool has accepted it.</summary>
    /// <param name="task">The work; it receives a token cancelled on timeout, on the start token, or when a stop stops waiting.</param>
    /// <param name="options">Per-task settings, or null for the pool's defaults.</param>
    /// <param name="cancellationToken">Stops waiting for queue room or for the answer; a task already accepted still runs.</param>
    /// <returns>The id under which the task's <see cref="TaskResult"/> is recorded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="SubmitRejectedException">The pool has no workers, is stopping or stopped, or its queue is full under <see cref="OverflowPolicy.Reject"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the task was accepted.</exception>
    /// <remarks>
    /// A submit made from inside one of this pool's own tasks never waits for queue room: under
    /// <see cref="OverflowPolicy.Block"/> it is accepted beyond <see cref="WorkerPoolOptions.QueueSize"/>,
    /// so tasks that queue more work (a crawler queueing the links it found) cannot deadlock the pool.
    /// </remarks>
    public Task<long> SubmitAsync(Func<CancellationToken, Task> task, TaskOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        options?.Validate();
        return SubmitOneAsync(new WorkItem(task, options, Completion: null, CallerToken: default), waitForRoom: true, cancellationToken);
    }

    /// <summary>Submits a task with the pool's default options and returns its id once the pool has accepted it.</summary>
    /// <param name="task">The work.</param>
    /// <param name="cancellationToken">Stops waiting for queue room; a task already accepted still runs.</param>
    /// <returns>The id under which the task's <see cref="TaskResult"/> is recorded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="SubmitRejectedException">The pool did not accept the task.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the task was accepted.</exception>
    public Task<long> SubmitAsync(Func<CancellationToken, Task> task, CancellationToken cancellationToken) =>
        SubmitAsync(task, options: null, cancellationToken);

    /// <summary>Submits a task if the pool takes it now; never waits for queue room and never throws for a full queue or a stopped pool.</summary>
    /// <param name="task">The work; it receives a token cancelled on timeout, on the start token, or when a stop stops waiting.</param>
    /// <param name="options">Per-task settings, or null for the pool's defaults.</param>
    /// <returns>True if the task was accepted (it will get exactly one outcome); false if it was not and will never run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A task option is invalid.</exception>
    public Task<bool> TrySubmitAsync(Func<CancellationToken, Task> task, TaskOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        options?.Validate();
        _counters.CountSubmitted();
        if (TryAdmit(new WorkItem(task, options, Completion: null, CallerToken: default), waitForRoom: false, out _) == Admission.Accepted)
        {
            return TrueTask;
        }

        _counters.CountRejected();
        return FalseTask;
    }

    /// <summary>Submits many tasks with the same options, sending them to the supervisor in batches rather than one message each.</summary>
    /// <param name="tasks">The work items; none may be null.</param>
    /// <param name="options">Per-task settings shared by every task, or null for the pool's defaults.</param>
    /// <param name="cancellationToken">Stops waiting for queue room; tasks already accepted still run.</param>
    /// <returns>The ids of the tasks, in the order given.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is null.</exception>
    /// <exception cref="ArgumentException">An element of <paramref name="tasks"/> is null; the message gives its index.</exception>
    /// <exception cref="SubmitRejectedException">The pool refused a task (no workers, stopped, or queue full under <see cref="OverflowPolicy.Reject"/>). The tasks before it were accepted and run; that one and the rest were not.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting for room; as above, earlier tasks were accepted.</exception>
    public async Task<IReadOnlyList<long>> SubmitManyAsync(IEnumerable<Func<CancellationToken, Task>> tasks, TaskOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var work = tasks as IReadOnlyList<Func<CancellationToken, Task>> ?? [.. tasks];
        for (var i = 0; i < work.Count; i++)
        {
            if (work[i] is null)
            {
                throw new ArgumentException($"{nameof(tasks)}[{i}] is null.", nameof(tasks));
            }
        }

        options?.Validate();
        var ids = new long[work.Count];
        var next = 0;
        try
        {
            while (next < work.Count)
            {
                next = AdmitBatch(work, options, ids, next, out var admission);
                if (admission == Admission.NeedsRoom)
                {
                    // The batch so far is sent: its tasks can start and free the room we wait for.
                    var index = next++;
                    ids[index] = await SubmitOneAsync(new WorkItem(work[index], options, Completion: null, CallerToken: default), waitForRoom: true, cancellationToken).ConfigureAwait(false);
                }
                else if (admission != Admission.Accepted)
                {
                    _counters.CountSubmitted();
                    _counters.CountRejected();
                    next++;
                    throw Rejection(admission);
                }
            }
        }
        finally
        {
            // Tasks never offered still count as submitted and rejected, so the books balance.
            for (; next < work.Count; next++)
            {
                _counters.CountSubmitted();
                _counters.CountRejected();
            }
        }

        return ids;
    }

    /// <summary>Admits tasks from <paramref name="start"/> until one cannot be admitted at once, and sends them as one message.</summary>
    /// <returns>The index of the first task not admitted (<paramref name="work"/>.Count when all were).</returns>
    private int AdmitBatch(IReadOnlyList<Func<CancellationToken, Task>> work, TaskOptions? options, long[] ids, int start, out Admission stopped)
    {
        stopped = Admission.Accepted;
        if (_lifecycle is null)
        {
            stopped = Admission.NoWorkers;
            return start;
        }

        var batch = new SubmitTask[Math.Min(work.Count - start, MaxBatch)];
        var count = 0;
        while (count < batch.Length)
        {
            var slot = TakeSlot(waitForRoom: true, out var holdsSlot);
            if (slot != Admission.Accepted)
            {
                stopped = slot;
                break;
            }

            batch[count] = new SubmitTask(0, new WorkItem(work[start + count], options, Completion: null, CallerToken: default), holdsSlot);
            count++;
        }

        if (count == 0)
        {
            return start;
        }

        if (!_lifecycle.TryEnter())
        {
            foreach (var submit in batch.AsSpan(0, count))
            {
                if (submit.HoldsSlot)
                {
                    _room!.Release();
                }
            }

            stopped = Admission.Stopped;
            return start;
        }

        try
        {
            var firstId = Interlocked.Add(ref _lastId, count) - count + 1;
            for (var i = 0; i < count; i++)
            {
                batch[i] = batch[i] with { Id = firstId + i };
                ids[start + i] = firstId + i;
                _counters.CountSubmitted();
            }

            _supervisor.Tell(new SubmitBatch(count == batch.Length ? batch : batch[..count]));
        }
        finally
        {
            _lifecycle.Exit();
        }

        return start + count;
    }

    /// <summary>Submits a task and waits for its value.</summary>
    /// <typeparam name="T">The task's result type.</typeparam>
    /// <param name="task">The work; its token is also cancelled by <paramref name="cancellationToken"/>.</param>
    /// <param name="options">Per-task settings, or null for the pool's defaults.</param>
    /// <param name="cancellationToken">Cancels the task, whether it waits or runs, and stops waiting for it.</param>
    /// <returns>The value the task produced.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="SubmitRejectedException">The pool did not accept the task.</exception>
    /// <exception cref="OperationCanceledException">The task was cancelled.</exception>
    /// <exception cref="TimeoutException">The task ran past its timeout or the pool's shutdown timeout.</exception>
    /// <remarks>When the task itself throws, that exception is rethrown unchanged.</remarks>
    public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> task, TaskOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        options?.Validate();
        var run = new ValueRun<T>(task, cancellationToken);
        var item = new WorkItem(run.ExecuteAsync, options, run.Complete, cancellationToken);
        var submitted = SubmitOneAsync(item, waitForRoom: true, cancellationToken);
        if (!submitted.IsCompletedSuccessfully)
        {
            return AwaitRunAsync(submitted, run, cancellationToken);
        }

        // Accepted at once (the usual case): hand back the value's own task, no extra state machine.
        return cancellationToken.CanBeCanceled ? run.Value.WaitAsync(cancellationToken) : run.Value;
    }

    private static async Task<T> AwaitRunAsync<T>(Task<long> submitted, ValueRun<T> run, CancellationToken cancellationToken)
    {
        await submitted.ConfigureAwait(false);
        return await run.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the pool gracefully: no new tasks are accepted, queued and running tasks finish
    /// (unless the start token was cancelled), and after <see cref="WorkerPoolOptions.ShutdownTimeout"/>
    /// whatever still runs is recorded <see cref="TaskOutcome.TimedOut"/>. Idempotent and safe to call
    /// from many threads at once; every caller awaits the same stop.
    /// </summary>
    /// <param name="cancellationToken">When it fires, the stop is no longer graceful: running tasks are cancelled and recorded at once.</param>
    /// <returns>A task that completes once every accepted task has an outcome and, for a pool with its own actor system, that system has terminated.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_lifecycle is null)
        {
            return Task.CompletedTask;
        }

        var stop = EnsureStopping();
        if (stop.IsCompleted || !cancellationToken.CanBeCanceled)
        {
            return stop;
        }

        return WaitForStopAsync(stop, cancellationToken);
    }

    /// <summary>Waits until every task accepted before the call has a recorded outcome (tasks accepted later are not waited for).</summary>
    /// <param name="cancellationToken">Stops waiting; the tasks are not affected.</param>
    /// <returns>A task that completes when those outcomes are recorded and visible in <see cref="GetResults"/> and <see cref="GetStats"/>.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <remarks>A pool that was never started does not run its queued tasks, so waiting on it lasts until it is started or stopped.</remarks>
    public Task WaitAsync(CancellationToken cancellationToken = default)
    {
        if (_lifecycle is null || Volatile.Read(ref _stopTask) is { IsCompleted: true })
        {
            return Task.CompletedTask;
        }

        var reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _supervisor.Tell(new AwaitOutcomes(reply));

        // Read after the tell: a stop that began earlier may have stopped the supervisor before
        // it saw the message, and once that stop ends every outcome is recorded anyway.
        var stop = Volatile.Read(ref _stopTask);
        var done = stop is null ? reply.Task : Task.WhenAny(reply.Task, stop);
        return done.WaitAsync(cancellationToken);
    }

    /// <summary>Changes the number of workers while the pool runs.</summary>
    /// <param name="workers">The new worker count; must be &gt; 0 and, with a <see cref="WorkerPoolOptions.Resizer"/>, within its bounds.</param>
    /// <remarks>Growing starts queued work at once; shrinking retires idle workers first and lets busy ones finish their task before they leave.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pool was created with no workers.</exception>
    public void Resize(int workers)
    {
        if (workers <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(workers), workers, $"{nameof(workers)} must be > 0, was: {workers}.");
        }

        if (_options.Resizer is { } resizer && (workers < resizer.LowerBound || workers > resizer.UpperBound))
        {
            throw new ArgumentOutOfRangeException(nameof(workers), workers, $"{nameof(workers)} must lie within the resizer's bounds [{resizer.LowerBound}, {resizer.UpperBound}], was: {workers}.");
        }

        if (_lifecycle is null)
        {
            throw new InvalidOperationException("A pool created with no workers cannot be resized; create it with workers > 0.");
        }

        Volatile.Write(ref _targetWorkers, workers);
        _supervisor.Tell(new ResizePool(workers));
    }

    /// <summary>Returns a snapshot of the pool's figures.</summary>
    /// <returns>Live worker and queue figures, and counts of every submit and outcome so far.</returns>
    public PoolStats GetStats() => _results.AddTo(new PoolStats
    {
        Workers = _counters.Workers,
        ActiveWorkers = _counters.ActiveWorkers,
        Queued = _counters.Queued,
        QueueCapacity = _options.QueueSize,
        IsStopped = _lifecycle is null || _lifecycle.IsClosed,
        IsCircuitOpen = _counters.CircuitOpen,
        Submitted = _counters.Submitted,
        Rejected = _counters.Rejected,
        Retried = _counters.Retried,
        WorkerRestarts = _counters.WorkerRestarts,
        CircuitBreakerTrips = _counters.CircuitBreakerTrips,
    });

    /// <summary>Returns a copy of the recorded results, keyed by task id; changing it does not touch the pool.</summary>
    /// <returns>At most <see cref="WorkerPoolOptions.MaxRetainedResults"/> results, the most recent ones.</returns>
    public IReadOnlyDictionary<long, TaskResult> GetResults() => _results.Snapshot();

    /// <summary>Stops the pool as <see cref="StopAsync"/> does.</summary>
    /// <returns>A task that completes when the pool has stopped.</returns>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>The supervisor's live figures.</summary>
    internal async Task<PoolState> GetStateAsync()
    {
        var reply = new TaskCompletionSource<PoolState>(TaskCreationOptions.RunContinuationsAsynchronously);
        _supervisor.Tell(new GetPoolState(reply));
        return await reply.Task.WaitAsync(_options.AskTimeout).ConfigureAwait(false);
    }

    /// <summary>Submits a prepared work item (for <see cref="TaskGroup"/>), waiting for room like <see cref="SubmitAsync(Func{CancellationToken, Task}, TaskOptions?, CancellationToken)"/>.</summary>
    internal Task<long> SubmitItemAsync(WorkItem item, CancellationToken cancellationToken) =>
        SubmitOneAsync(item, waitForRoom: true, cancellationToken);

    /// <summary>
    /// Counts the submit and admits it at once when it can; only a submit that must wait for
    /// queue room goes async. Every submit ends accepted or counted rejected.
    /// </summary>
    private Task<long> SubmitOneAsync(WorkItem item, bool waitForRoom, CancellationToken cancellationToken)
    {
        _counters.CountSubmitted();
        if (cancellationToken.IsCancellationRequested)
        {
            _counters.CountRejected();
            return Task.FromCanceled<long>(cancellationToken);
        }

        var admission = TryAdmit(item, waitForRoom, out var id);
        switch (admission)
        {
            case Admission.Accepted:
                return Task.FromResult(id);
            case Admission.NeedsRoom:
                return SubmitAfterRoomAsync(item, cancellationToken);
            default:
                _counters.CountRejected();
                return Task.FromException<long>(Rejection(admission));
        }
    }

    private async Task<long> SubmitAfterRoomAsync(WorkItem item, CancellationToken cancellationToken)
    {
        try
        {
            await WaitForRoomAsync(_room!, _lifecycle!, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _counters.CountRejected();
            throw;
        }

        if (!TryEnqueue(item, holdsSlot: true, out var id))
        {
            _counters.CountRejected();
            throw Rejection(Admission.Stopped);
        }

        return id;
    }

    /// <summary>Decides a submit without waiting: accepted (and sent), rejected, or waiting for room.</summary>
    private Admission TryAdmit(WorkItem item, bool waitForRoom, out long id)
    {
        id = 0;
        if (_lifecycle is null)
        {
            return Admission.NoWorkers;
        }

        if (_lifecycle.IsClosed)
        {
            return Admission.Stopped;
        }

        var slot = TakeSlot(waitForRoom, out var holdsSlot);
        if (slot != Admission.Accepted)
        {
            return slot;
        }

        return TryEnqueue(item, holdsSlot, out id) ? Admission.Accepted : Admission.Stopped;
    }

    /// <summary>
    /// Takes a queue slot without waiting, where the overflow policy counts them: Accepted (with
    /// <paramref name="holdsSlot"/> saying whether a slot was taken), QueueFull, or NeedsRoom.
    /// </summary>
    private Admission TakeSlot(bool waitForRoom, out bool holdsSlot)
    {
        holdsSlot = _room?.Wait(0, CancellationToken.None) ?? false;
        if (_room is null || holdsSlot)
        {
            return Admission.Accepted;
        }

        if (!waitForRoom || _options.Overflow == OverflowPolicy.Reject)
        {
            return Admission.QueueFull;
        }

        // Inside one of our own tasks, waiting for room could wait on ourselves: go past the bound.
        return InsidePool.Is(_supervisor) ? Admission.Accepted : Admission.NeedsRoom;
    }

    /// <summary>
    /// Accepts a task: gives it an id and puts it in the supervisor's mailbox. The admission gate
    /// orders this before any stop or cancel, so the supervisor never refuses what it receives
    /// and the caller needs no reply.
    /// </summary>
    private bool TryEnqueue(WorkItem item, bool holdsSlot, out long id)
    {
        if (!_lifecycle!.TryEnter())
        {
            if (holdsSlot)
            {
                _room!.Release();
            }

            id = 0;
            return false;
        }

        try
        {
            id = Interlocked.Increment(ref _lastId);
            _supervisor.Tell(new SubmitTask(id, item, holdsSlot));
            return true;
        }
        finally
        {
            _lifecycle.Exit();
        }
    }

    private SubmitRejectedException Rejection(Admission admission) => admission switch
    {
        Admission.NoWorkers => new SubmitRejectedException(RejectionReason.NoWorkers),
        Admission.QueueFull => new SubmitRejectedException(RejectionReason.QueueFull, $"The task was rejected: pool '{Name}' already holds {_options.QueueSize} waiting tasks (QueueSize)."),
        _ => new SubmitRejectedException(RejectionReason.Stopped, $"The task was rejected: pool '{Name}' is stopping or stopped."),
    };

    private static async Task WaitForRoomAsync(SemaphoreSlim room, PoolLifecycle lifecycle, CancellationToken cancellationToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifecycle.ClosingToken);
        try
        {
            await room.WaitAsync(waiting.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SubmitRejectedException(RejectionReason.Stopped);
        }
    }

    private Task EnsureStopping()
    {
        var existing = Volatile.Read(ref _stopTask);
        if (existing is not null)
        {
            return existing;
        }

        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        existing = Interlocked.CompareExchange(ref _stopTask, completion.Task, null);
        if (existing is not null)
        {
            return existing;
        }

        _ = RunStopAsync(completion);
        return completion.Task;
    }

    private async Task RunStopAsync(TaskCompletionSource completion)
    {
        try
        {
            if (_ownsSystem)
            {
                // Our drain runs as the service-requests-done task; the last phase terminates the system.
                await CoordinatedShutdown.Get(_system).Run(PoolStoppedReason.Instance).ConfigureAwait(false);
                await _system!.WhenTerminated.ConfigureAwait(false);
            }
            else
            {
                await _lifecycle!.DrainAsync().ConfigureAwait(false);
                await StopSupervisorAsync().ConfigureAwait(false);
            }

            _startRegistration.Dispose();
            _lifecycle!.Dispose();
            _metrics?.Dispose();
            completion.TrySetResult();
        }
        catch (Exception ex)
        {
            completion.TrySetException(ex);
        }
    }

    private async Task StopSupervisorAsync()
    {
        try
        {
            await _supervisor.GracefulStop(_options.AskTimeout).ConfigureAwait(false);
        }
        catch (TaskCanceledException)
        {
            // Every outcome is already recorded; a slow actor stop loses nothing.
        }
    }

    private async Task WaitForStopAsync(Task stop, CancellationToken cancellationToken)
    {
        await using (cancellationToken.Register(static state => ((IActorRef)state!).Tell(ForceStop.Instance), _supervisor).ConfigureAwait(false))
        {
            await stop.ConfigureAwait(false);
        }
    }

    private static (ResultStore Results, PoolMetrics Metrics) CreateResults(string name, WorkerPoolOptions options, PoolCounters counters)
    {
        var results = new ResultStore(options.MaxRetainedResults, options.OnTaskCompleted);
        var metrics = new PoolMetrics(name, counters, results);
        results.Metrics = metrics;
        return (results, metrics);
    }

    private static WorkerPoolOptions ValidatedCopy(WorkerPoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = options.Clone();
        copy.Validate();
        return copy;
    }

    private static (IActorRef Supervisor, PoolLifecycle Lifecycle, SemaphoreSlim? Room) Spawn(
        ActorSystem system, WorkerPoolOptions options, string name, ResultStore results, PoolCounters counters)
    {
        // DropOldest bounds the queue inside the supervisor; Block and Reject count slots here.
        var room = options.QueueSize > 0 && options.Overflow != OverflowPolicy.DropOldest
            ? new SemaphoreSlim(options.QueueSize, options.QueueSize)
            : null;
        var poolCancellation = new CancellationTokenSource();
        var supervisor = system.ActorOf(PoolSupervisorActor.Props(options, poolCancellation, room, results, counters), name);
        var lifecycle = new PoolLifecycle(supervisor, poolCancellation);
        var shutdown = CoordinatedShutdown.Get(system);
        var phaseTimeout = shutdown.Timeout(CoordinatedShutdown.PhaseServiceRequestsDone);
        if (phaseTimeout < options.ShutdownTimeout)
        {
            system.Log.Warning(
                "Pool {0}: akka.coordinated-shutdown.phases.service-requests-done.timeout ({1}) is shorter than its shutdown-timeout ({2}); a system shutdown may cut its drain short",
                name,
                phaseTimeout,
                options.ShutdownTimeout);
        }

        shutdown.AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, $"actor-pool-{name}", async () =>
        {
            await lifecycle.DrainAsync().ConfigureAwait(false);
            return Done.Instance;
        });
        return (supervisor, lifecycle, room);
    }

    private static ActorSystem CreateOwnSystem(WorkerPoolOptions options)
    {
        // The drain phase may take the whole shutdown timeout; give it room beyond that.
        var phaseTimeout = options.ShutdownTimeout + TimeSpan.FromSeconds(5);
        var config = ConfigurationFactory.ParseString(string.Create(CultureInfo.InvariantCulture, $$"""
            akka {
              loglevel = WARNING
              stdout-loglevel = WARNING
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              coordinated-shutdown {
                run-by-clr-shutdown-hook = off
                phases.service-requests-done.timeout = {{(long)phaseTimeout.TotalMilliseconds}}ms
              }
            }
            """)).WithFallback(WorkerPoolSettings.ParseReference());
        return ActorSystem.Create(OwnSystemName, config);
    }

    /// <summary>Runs one <see cref="RunAsync{T}"/> task and carries its value to the waiting caller.</summary>
    private sealed class ValueRun<T>(Func<CancellationToken, Task<T>> task, CancellationToken callerToken)
    {
        private readonly TaskCompletionSource<T> _value = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Written by the worker before the outcome is recorded; read after it.</summary>
        private T? _result;

        public Task<T> Value => _value.Task;

        public async Task ExecuteAsync(CancellationToken poolToken)
        {
            if (!callerToken.CanBeCanceled)
            {
                _result = await (task(poolToken) ?? throw NullTask()).ConfigureAwait(false);
                return;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(poolToken, callerToken);
            _result = await (task(linked.Token) ?? throw NullTask()).ConfigureAwait(false);
        }

        public void Complete(TaskResult result)
        {
            switch (result.Outcome)
            {
                case TaskOutcome.Succeeded:
                    _value.TrySetResult(_result!);
                    break;
                case TaskOutcome.Failed:
                    _value.TrySetException(result.Error ?? new InvalidOperationException("The task failed."));
                    break;
                case TaskOutcome.Dropped:
                    _value.TrySetException(result.Error ?? new SubmitRejectedException(RejectionReason.QueueFull));
                    break;
                case TaskOutcome.TimedOut:
                    _value.TrySetException(result.Error as TimeoutException ?? new TimeoutException("The task timed out.", result.Error));
                    break;
                default:
                    _value.TrySetCanceled((result.Error as OperationCanceledException)?.CancellationToken ?? default);
                    break;
            }
        }

        private static InvalidOperationException NullTask() => new("The task delegate returned null instead of a Task.");
    }

    /// <summary>The CoordinatedShutdown reason when a pool stops its own actor system.</summary>
    private sealed class PoolStoppedReason : CoordinatedShutdown.Reason
    {
        public static readonly PoolStoppedReason Instance = new();

        private PoolStoppedReason()
        {
        }

        public override int ExitCode => 0;
    }

    /// <summary>What became of a submit that did not wait.</summary>
    private enum Admission
    {
        Accepted,
        NeedsRoom,
        NoWorkers,
        Stopped,
        QueueFull,
    }
}
