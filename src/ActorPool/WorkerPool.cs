using ActorPool.Configuration;
using ActorPool.Diagnostics;
using ActorPool.Engines;
using ActorPool.Messages;
using ActorPool.Named;
using ActorPool.Schedules;
using ActorPool.Work;
using Akka.Actor;
using Akka.Configuration;

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
/// <para>This class is the front: admission is decided by the pool's admission gate, outcomes are
/// written by its recorder, and start and stop by its lifecycle. Every member is thread-safe.</para>
/// </remarks>
public sealed class WorkerPool : IWorkerPool, IPoolInspection, IAsyncDisposable
{
    private const string OwnPoolName = "pool";

    private static readonly Task<bool> TrueTask = Task.FromResult(true);
    private static readonly Task<bool> FalseTask = Task.FromResult(false);

    private readonly WorkerPoolOptions _options;
    private readonly PoolEngine _engine;


    /// <summary>Creates a pool with <paramref name="workers"/> workers on an actor system of its own.</summary>
    /// <param name="workers">The number of workers. Zero or fewer gives a pool that rejects every submit with <see cref="RejectionReason.NoWorkers"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> is above 10,000.</exception>
    public WorkerPool(int workers)
        : this(null, ValidatedCopy(new WorkerPoolOptions { Workers = Math.Max(workers, 1) }), OwnPoolName, refuseAll: workers <= 0)
    {
    }

    /// <summary>Creates a pool from <paramref name="options"/> on an actor system of its own.</summary>
    /// <param name="options">The settings; they are copied, so later changes do not affect the pool.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid; <see cref="ArgumentException.ParamName"/> names it.</exception>
    public WorkerPool(WorkerPoolOptions options)
        : this(null, ValidatedCopy(options), OwnPoolName, refuseAll: false)
    {
    }

    private WorkerPool(ActorSystem? system, WorkerPoolOptions options, string name, bool refuseAll)
    {
        var declared = PoolSchedules.Declared(options, name); // before any actor starts: a bad declaration leaves nothing behind
        _options = options;
        Name = name;
        _engine = refuseAll ? LocalEngine.RefusingAll(options, name)
            : options.Cluster.Enabled ? new ClusterEngine(system ?? throw new ArgumentException("A clustered pool runs in a clustered actor system: create it with WorkerPool.Create(system, options, name).", nameof(options)), options, name)
            : options.Persistence.Enabled ? new DurableEngine(system, options, name)
            : new LocalEngine(system, options, name);
        var carried = options.Cluster.Enabled || options.Persistence.Enabled;
        Schedules = new PoolSchedules(options, name, StartScheduledRun, () => _engine.Accepting, closuresAllowed: !carried, occurrenceKeyWindow: carried ? OccurrenceKeyWindow : null, _engine.ScheduleJournal, message => _engine.System?.Log.Log(Akka.Event.LogLevel.WarningLevel, null, message));
        Schedules.Declare(declared);
        _engine.ScheduleDriving?.Bind(Schedules);
    }

    /// <summary>How long a journaled or clustered run keeps its occurrence's key: a schedule that fires it again after a failover joins it.</summary>
    private static readonly TimeSpan OccurrenceKeyWindow = TimeSpan.FromMinutes(10);

    /// <summary>The pool's name: its supervisor actor's name in the actor system.</summary>
    public string Name { get; }

    /// <summary>The number of workers the pool has or is resizing to, the automatic resizer's changes included (0 for a pool that rejects every task).</summary>
    public int Workers => _engine.Workers;

    /// <summary>The supervisor actor, for tests and for code that talks to the pool by message.</summary>
    internal IActorRef Supervisor => _engine.Supervisor;

    /// <summary>The actor system the pool runs on; null for a pool with no workers.</summary>
    internal ActorSystem? System => _engine.System;

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
        return new WorkerPool(system, ValidatedCopy(options), name, refuseAll: false);
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

    /// <summary>
    /// ActorPool's default configuration with what a clustered pool needs from Akka.Cluster.Tools:
    /// every <c>actor-pool</c> key, and the serializer bindings of the pool's and the cluster
    /// singleton's messages. Give it as a fallback when you create a clustered actor system.
    /// </summary>
    /// <returns>The configuration, to pass to <c>Config.WithFallback</c>.</returns>
    public static Config DefaultConfig() =>
        WorkerPoolSettings.ParseReference().WithFallback(Akka.Cluster.Tools.Singleton.ClusterSingleton.DefaultConfig());

    /// <summary>Lets accepted tasks run. Idempotent; tasks submitted before it wait in the queue.</summary>
    /// <param name="cancellationToken">
    /// The pool's lifetime token: when it fires, running tasks see their token cancelled, queued
    /// tasks are recorded <see cref="TaskOutcome.Cancelled"/> without running, and new submits are rejected.
    /// </param>
    public void Start(CancellationToken cancellationToken = default)
    {
        _engine.Start(cancellationToken);
        Schedules.Start();
    }

    /// <summary>The pool's recurring tasks: cron schedules that submit a task at every occurrence.</summary>
    /// <remarks>A local pool runs closures or named tasks, a durable or clustered one named tasks only; on a cluster only the node holding the schedule singleton fires.</remarks>
    public PoolSchedules Schedules { get; }

    /// <summary>Submits a task and returns its id once the pool has accepted it.</summary>
    /// <param name="task">The work; it receives a token cancelled on timeout, on the start token, or when a stop stops waiting.</param>
    /// <param name="options">Per-task settings, or null for the pool's defaults.</param>
    /// <param name="cancellationToken">Stops waiting for queue room; a task already accepted still runs.</param>
    /// <returns>The id under which the task's <see cref="TaskResult"/> is recorded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A task option is invalid; <see cref="ArgumentException.ParamName"/> names it.</exception>
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
        options = TaskOptions.Prepare(options, _options.TimeProvider, _engine.FixesDelayAtSubmit);
        return _engine.Submit(new SubmittedItem(task, options), cancellationToken);
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
        options = TaskOptions.Prepare(options, _options.TimeProvider, _engine.FixesDelayAtSubmit);
        return _engine.TrySubmit(new SubmittedItem(task, options)) ? TrueTask : FalseTask;
    }

    /// <summary>Submits many tasks with the same options, handing them over in batches rather than one by one.</summary>
    /// <param name="tasks">The work items; none may be null.</param>
    /// <param name="options">Per-task settings shared by every task, or null for the pool's defaults.</param>
    /// <param name="cancellationToken">Stops waiting for queue room; tasks already accepted still run.</param>
    /// <returns>The ids of the tasks, in the order given.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is null.</exception>
    /// <exception cref="ArgumentException">An element of <paramref name="tasks"/> is null; the message gives its index.</exception>
    /// <exception cref="SubmitRejectedException">The pool refused a task (no workers, stopped, or queue full under <see cref="OverflowPolicy.Reject"/>). The tasks before it were accepted and run; that one and the rest were not.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before or while waiting for room; as above, earlier tasks were accepted.</exception>
    public Task<IReadOnlyList<long>> SubmitManyAsync(IEnumerable<Func<CancellationToken, Task>> tasks, TaskOptions? options = null, CancellationToken cancellationToken = default)
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

        options = TaskOptions.Prepare(options, _options.TimeProvider, _engine.FixesDelayAtSubmit);
        return _engine.SubmitMany(work.Count, i => new SubmittedItem(work[i], options), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<long> SubmitAsync(string handler, object? payload, TaskOptions? options = null, CancellationToken cancellationToken = default)
    {
        var named = Handler(handler);
        options = TaskOptions.Prepare(options, _options.TimeProvider, _engine.FixesDelayAtSubmit);
        return _engine.Submit(new NamedItem(named, Encode(named, payload, options), options, _options.Services), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<long>> SubmitManyAsync(string handler, IEnumerable<object?> payloads, TaskOptions? options = null, CancellationToken cancellationToken = default)
    {
        var named = Handler(handler);
        ArgumentNullException.ThrowIfNull(payloads);
        options = TaskOptions.Prepare(options, _options.TimeProvider, _engine.FixesDelayAtSubmit);

        // Every payload is checked before any task is submitted.
        var encoded = payloads.Select(payload => Encode(named, payload, options)).ToArray();
        return _engine.SubmitMany(encoded.Length, i => new NamedItem(named, encoded[i], options, _options.Services), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<TResult> RunAsync<TResult>(string handler, object? payload, TaskOptions? options = null, CancellationToken cancellationToken = default)
    {
        var named = Handler(handler);
        options = TaskOptions.Prepare(options, _options.TimeProvider, _engine.FixesDelayAtSubmit);
        var item = new NamedRunItem<TResult>(named, Encode(named, payload, options), options, _options.Services, cancellationToken);
        return Await(_engine.SubmitRun(item, cancellationToken), item.Completion, cancellationToken);
    }

    /// <summary>Submits a task and waits for its value.</summary>
    /// <typeparam name="T">The task's result type.</typeparam>
    /// <param name="task">The work; its token is also cancelled by <paramref name="cancellationToken"/>.</param>
    /// <param name="options">Per-task settings, or null for the pool's defaults.</param>
    /// <param name="cancellationToken">Cancels the task, whether it waits or runs, and stops waiting for it.</param>
    /// <returns>The value the task produced.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A task option is invalid.</exception>
    /// <exception cref="SubmitRejectedException">The pool did not accept the task, or dropped it from a full queue.</exception>
    /// <exception cref="OperationCanceledException">The task was cancelled by the pool or by <paramref name="cancellationToken"/>.</exception>
    /// <exception cref="TimeoutException">The task ran past its timeout, waited past its queue timeout, or outlived the pool's shutdown timeout.</exception>
    /// <remarks>Any exception the task itself throws, an <see cref="OperationCanceledException"/> of its own included, is rethrown unchanged.</remarks>
    public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> task, TaskOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        options = TaskOptions.Prepare(options, _options.TimeProvider, _engine.FixesDelayAtSubmit);
        var item = new RunItem<T>(task, options, cancellationToken);
        return Await(_engine.SubmitRun(item, cancellationToken), item.Completion, cancellationToken);
    }

    /// <summary>
    /// Stops the pool gracefully: no new tasks are accepted from the moment of the call, queued and
    /// running tasks finish (unless the start token was cancelled), and after
    /// <see cref="WorkerPoolOptions.ShutdownTimeout"/> whatever still runs is recorded
    /// <see cref="TaskOutcome.TimedOut"/>. Idempotent and safe to call from many threads at once;
    /// every caller awaits the same stop.
    /// </summary>
    /// <param name="cancellationToken">When it fires, the stop is no longer graceful: running tasks are cancelled and recorded at once.</param>
    /// <returns>A task that completes once every accepted task has an outcome and, for a pool with its own actor system, that system has terminated (a thread stuck in a task is left behind after a one-second grace).</returns>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        Schedules.Stop();
        return _engine.StopAsync(cancellationToken);
    }

    /// <summary>Waits until every task accepted before the call has a recorded outcome (tasks accepted later are not waited for).</summary>
    /// <param name="cancellationToken">Stops waiting; the tasks are not affected.</param>
    /// <returns>A task that completes when those outcomes are recorded and visible in <see cref="GetResults"/> and <see cref="GetStats"/>.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <remarks>A pool that was never started does not run its queued tasks, so waiting on it lasts until it is started or stopped.</remarks>
    public Task WaitAsync(CancellationToken cancellationToken = default) =>
        Schedules.Restored.IsCompleted ? _engine.WaitAsync(cancellationToken) : WaitRestoredAsync(cancellationToken);

    /// <summary>A durable pool's schedules are read back first, so that a test that waits and then advances its clock finds them armed.</summary>
    private async Task WaitRestoredAsync(CancellationToken cancellationToken)
    {
        await Schedules.Restored.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _engine.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<bool> CancelAsync(long id, CancellationToken cancellationToken = default) => _engine.CancelAsync(id, cancellationToken);

    /// <inheritdoc/>
    public Task<long> RetryAsync(long id, CancellationToken cancellationToken = default)
    {
        var (result, options) = _engine.FindResult(id) ?? throw new KeyNotFoundException($"No retained result has task id {id}: the task is still waiting or running, never existed, or its result was evicted (MaxRetainedResults is {_options.MaxRetainedResults}).");
        if (result.Outcome == TaskOutcome.Succeeded)
        {
            throw new InvalidOperationException($"Task {id} succeeded; only a task that failed, timed out, was cancelled or was dropped can be retried.");
        }

        if (result.Handler is not { } handler || result.Payload is not { } payload)
        {
            throw new NotSupportedException($"Task {id} was submitted as a closure; the pool keeps no delegate to run again, so only named tasks (SubmitAsync(handler, payload)) can be retried.");
        }

        var named = Handler(handler);
        var item = new NamedItem(named, global::System.Text.Encoding.UTF8.GetBytes(payload), WithoutKey(options), _options.Services) { Retries = id };
        return _engine.Submit(item, cancellationToken);
    }

    /// <summary>An operator's retry is asked for explicitly: a deduplication key still taken by the task it retries would only join it.</summary>
    private static TaskOptions? WithoutKey(TaskOptions? options) =>
        options?.Key is null ? options : TaskOptions.WithKey(options, key: null, window: null);

    /// <summary>One run of a schedule, through the same submit path as any task; a journaled or clustered run carries its occurrence's key.</summary>
    private Task<long> StartScheduledRun(ScheduleDefinition definition, DateTimeOffset? occurrence, RunEnd end)
    {
        var keyed = occurrence is not null && Schedules.OccurrenceKeyWindow is not null;
        var options = keyed ? TaskOptions.WithKey(definition.Options.Task, PoolSchedules.OccurrenceKey(definition.Id, occurrence!.Value), Schedules.OccurrenceKeyWindow) : definition.Options.Task;
        WorkItem item = definition.Closure is { } closure
            ? new ScheduledClosureItem(closure, options, end)
            : new ScheduledNamedItem(Handler(definition.Handler!), definition.Payload!, options, _options.Services, end)
            {
                Fired = keyed ? new Durable.ScheduleFired(definition.Id, occurrence!.Value) : null,
            };
        return _engine.Submit(item, CancellationToken.None);
    }

    string IPoolInspection.Mode => (_options.Cluster.Enabled, _options.Persistence.Enabled) switch
    {
        (true, true) => "cluster, durable",
        (true, false) => "cluster",
        (false, true) => "durable",
        _ => "local",
    };

    WorkerPoolOptions IPoolInspection.Options => _options;

    string? IPoolInspection.SupervisorNode => _engine.SupervisorNode;

    Task<IReadOnlyList<PendingTask>> IPoolInspection.GetPendingAsync(int max, CancellationToken cancellationToken) => _engine.GetPendingAsync(max, cancellationToken);

    ResultPage IPoolInspection.GetResultPage(TaskOutcome? outcome, int skip, int take) => _engine.PageResults(outcome, Math.Max(0, skip), Math.Max(0, take));

    TaskResult? IPoolInspection.FindResult(long id) => _engine.FindResult(id)?.Result;

    /// <summary>Changes the number of workers while the pool runs.</summary>
    /// <param name="workers">The new worker count: 1 to 10,000 and, with a <see cref="WorkerPoolOptions.Resizer"/>, within its bounds.</param>
    /// <remarks>Growing starts queued work at once; shrinking retires idle workers first and lets busy ones finish their task before they leave.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pool was created with no workers.</exception>
    public void Resize(int workers)
    {
        if (workers <= 0 || workers > OptionLimits.MaxWorkers)
        {
            throw new ArgumentOutOfRangeException(nameof(workers), workers, $"{nameof(workers)} must be between 1 and {OptionLimits.MaxWorkers}, was: {workers}.");
        }

        if (_options.Resizer is { } resizer && (workers < resizer.LowerBound || workers > resizer.UpperBound))
        {
            throw new ArgumentOutOfRangeException(nameof(workers), workers, $"{nameof(workers)} must lie within the resizer's bounds [{resizer.LowerBound}, {resizer.UpperBound}], was: {workers}.");
        }

        _engine.Resize(workers);
    }

    /// <summary>Returns a snapshot of the pool's figures.</summary>
    /// <returns>Live worker and queue figures, and counts of every submit and outcome so far.</returns>
    public PoolStats GetStats()
    {
        var (schedules, nextRun, late) = Schedules.Figures();
        var stats = _engine.GetStats();
        return schedules == 0 && late == 0 ? stats : stats with { Schedules = schedules, NextScheduledRun = nextRun, LateScheduledRuns = late };
    }

    /// <summary>Returns a copy of the recorded results, keyed by task id; changing it does not touch the pool.</summary>
    /// <returns>At most <see cref="WorkerPoolOptions.MaxRetainedResults"/> results, the most recent ones.</returns>
    public IReadOnlyDictionary<long, TaskResult> GetResults() => _engine.GetResults();

    /// <summary>Stops the pool as <see cref="StopAsync"/> does.</summary>
    /// <returns>A task that completes when the pool has stopped.</returns>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>The supervisor's live figures.</summary>
    internal Task<PoolState> GetStateAsync() => _engine.GetStateAsync();

    /// <summary>The caller's view of a run: its completion once accepted, the refusal otherwise.</summary>
    private static Task<T> Await<T>(Task? submitted, Task<T> completion, CancellationToken cancellationToken)
    {
        if (submitted is { IsCompletedSuccessfully: false })
        {
            return AwaitAcceptedAsync(submitted, completion, cancellationToken);
        }

        // Accepted at once (the usual case): hand back the completion itself, no extra state machine.
        return cancellationToken.CanBeCanceled ? completion.WaitAsync(cancellationToken) : completion;

        static async Task<T> AwaitAcceptedAsync(Task submitted, Task<T> completion, CancellationToken cancellationToken)
        {
            await submitted.ConfigureAwait(false);
            return await completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The registered handler of that name.</summary>
    private TaskHandler Handler(string handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(handler);
        return _options.Handlers.Require(handler, Name, nameof(handler));
    }

    /// <summary>A payload as the pool carries it: checked against the handler's type, the JSON round trip and what the engine can send with its id.</summary>
    private byte[] Encode(TaskHandler named, object? payload, TaskOptions? options)
    {
        var encoded = PayloadCodec.EncodePayload(named, payload);
        return _engine.TooLargeToSend(named.Name, encoded, options?.Id) is { } tooLarge
            ? throw new ArgumentException(tooLarge.Message, tooLarge.IdTooLarge ? nameof(options) : nameof(payload))
            : encoded;
    }

    private static WorkerPoolOptions ValidatedCopy(WorkerPoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = options.Clone();
        copy.Validate();
        return copy;
    }
}
