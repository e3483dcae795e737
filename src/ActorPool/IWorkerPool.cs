namespace ActorPool;

/// <summary>
/// What an application does with a pool: submit work, wait for it, read its figures. Both
/// <see cref="WorkerPool"/> and the host-owned pools of ActorPool.Hosting implement it, so code
/// written against it (and <see cref="TaskGroup"/>) works on an injected pool as on one it made.
/// </summary>
/// <remarks>
/// Starting and stopping are not part of it: whoever created the pool owns its lifetime (a host
/// drains its pools in the actor system's CoordinatedShutdown). Every member is thread-safe.
/// </remarks>
public interface IWorkerPool
{
    /// <summary>The pool's name: its supervisor actor's name in the actor system.</summary>
    string Name { get; }

    /// <summary>The number of workers the pool has or is resizing to.</summary>
    int Workers { get; }

    /// <summary>The pool's recurring tasks: cron schedules that submit a task at every occurrence.</summary>
    PoolSchedules Schedules { get; }

    /// <summary>Submits a task and returns its id once the pool has accepted it.</summary>
    /// <param name="task">The work; it receives a token cancelled on timeout, on the pool's start token, or when a stop stops waiting.</param>
    /// <param name="options">Per-task settings, or null for the pool's defaults.</param>
    /// <param name="cancellationToken">Stops waiting for queue room; a task already accepted still runs.</param>
    /// <returns>The id under which the task's <see cref="TaskResult"/> is recorded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A task option is invalid; <see cref="ArgumentException.ParamName"/> names it.</exception>
    /// <exception cref="SubmitRejectedException">The pool has no workers, is stopping or stopped, or its queue is full under <see cref="OverflowPolicy.Reject"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the task was accepted.</exception>
    Task<long> SubmitAsync(Func<CancellationToken, Task> task, TaskOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Submits a task with the pool's default options and returns its id once the pool has accepted it.</summary>
    /// <param name="task">The work.</param>
    /// <param name="cancellationToken">Stops waiting for queue room; a task already accepted still runs.</param>
    /// <returns>The id under which the task's <see cref="TaskResult"/> is recorded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="SubmitRejectedException">The pool did not accept the task.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the task was accepted.</exception>
    Task<long> SubmitAsync(Func<CancellationToken, Task> task, CancellationToken cancellationToken);

    /// <summary>Submits a task if the pool takes it now; never waits for queue room and never throws for a full queue or a stopped pool.</summary>
    /// <param name="task">The work.</param>
    /// <param name="options">Per-task settings, or null for the pool's defaults.</param>
    /// <returns><see langword="true"/> if the task was accepted (it will get exactly one outcome); <see langword="false"/> if it will never run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A task option is invalid.</exception>
    Task<bool> TrySubmitAsync(Func<CancellationToken, Task> task, TaskOptions? options = null);

    /// <summary>Submits many tasks with the same options in as few hand-overs as the queue allows.</summary>
    /// <param name="tasks">The work items; none may be null.</param>
    /// <param name="options">Per-task settings shared by every task, or null for the pool's defaults.</param>
    /// <param name="cancellationToken">Stops waiting for queue room; tasks already accepted still run.</param>
    /// <returns>The ids of the tasks, in the order given.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> is null.</exception>
    /// <exception cref="ArgumentException">An element of <paramref name="tasks"/> is null; the message gives its index.</exception>
    /// <exception cref="SubmitRejectedException">The pool refused a task; the ones before it were accepted and run, that one and the rest were not.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting for room; earlier tasks were accepted.</exception>
    Task<IReadOnlyList<long>> SubmitManyAsync(IEnumerable<Func<CancellationToken, Task>> tasks, TaskOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Submits a named task: the handler registered as <paramref name="handler"/> runs it with <paramref name="payload"/>, here or on another node of a cluster.</summary>
    /// <param name="handler">The handler's name (see <see cref="WorkerPoolOptions.Handlers"/>).</param>
    /// <param name="payload">The handler's input; it is serialized as JSON at once.</param>
    /// <param name="options">Per-task settings, or null for the pool's defaults.</param>
    /// <param name="cancellationToken">Stops waiting for queue room; a task already accepted still runs.</param>
    /// <returns>The id under which the task's <see cref="TaskResult"/> is recorded.</returns>
    /// <exception cref="ArgumentException">No handler has that name, or the payload is of the wrong type or cannot be serialized, or is too large for a clustered pool's messages; the message says which.</exception>
    /// <exception cref="SubmitRejectedException">The pool did not accept the task.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the task was accepted.</exception>
    Task<long> SubmitAsync(string handler, object? payload, TaskOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Submits many named tasks of one handler, handing them over in batches.</summary>
    /// <param name="handler">The handler's name.</param>
    /// <param name="payloads">One payload per task.</param>
    /// <param name="options">Per-task settings shared by every task, or null for the pool's defaults.</param>
    /// <param name="cancellationToken">Stops waiting for queue room; tasks already accepted still run.</param>
    /// <returns>The ids of the tasks, in the order given.</returns>
    /// <exception cref="ArgumentException">No handler has that name, or a payload is of the wrong type or cannot be serialized or is too large for a clustered pool; nothing was submitted then.</exception>
    /// <exception cref="SubmitRejectedException">The pool refused a task; the ones before it were accepted and run, that one and the rest were not.</exception>
    Task<IReadOnlyList<long>> SubmitManyAsync(string handler, IEnumerable<object?> payloads, TaskOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Submits a named task and waits for its value.</summary>
    /// <typeparam name="TResult">The value's type; the handler's value is converted through JSON when it is not already one.</typeparam>
    /// <param name="handler">The handler's name.</param>
    /// <param name="payload">The handler's input; it is serialized as JSON at once.</param>
    /// <param name="options">Per-task settings, or null for the pool's defaults.</param>
    /// <param name="cancellationToken">Cancels the task, whether it waits or runs, and stops waiting for it.</param>
    /// <returns>The handler's value.</returns>
    /// <exception cref="ArgumentException">No handler has that name, or the payload is of the wrong type or cannot be serialized, or is too large for a clustered pool's messages.</exception>
    /// <exception cref="RemoteTaskException">The task failed on another node; it carries the exception's type name and message.</exception>
    /// <remarks>Otherwise as <see cref="RunAsync{T}(Func{CancellationToken, Task{T}}, TaskOptions?, CancellationToken)"/>: a local failure is rethrown unchanged.</remarks>
    Task<TResult> RunAsync<TResult>(string handler, object? payload, TaskOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Submits a task that produces a value and waits for that value.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="task">The work; its token is also cancelled by <paramref name="cancellationToken"/>.</param>
    /// <param name="options">Per-task settings, or null for the pool's defaults.</param>
    /// <param name="cancellationToken">Cancels the task, whether it waits or runs, and stops waiting for it.</param>
    /// <returns>The task's value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="SubmitRejectedException">The pool did not accept the task, or dropped it from a full queue.</exception>
    /// <exception cref="OperationCanceledException">The task was cancelled by the pool or by <paramref name="cancellationToken"/>.</exception>
    /// <exception cref="TimeoutException">The task ran past its timeout, waited past its queue timeout, or outlived the pool's shutdown timeout.</exception>
    /// <remarks>Any exception the task itself throws is rethrown unchanged.</remarks>
    Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> task, TaskOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Waits until every task accepted before the call has a recorded outcome.</summary>
    /// <param name="cancellationToken">Stops waiting; the tasks are not affected.</param>
    /// <returns>A task that completes when those outcomes are recorded and visible in <see cref="GetResults"/> and <see cref="GetStats"/>.</returns>
    Task WaitAsync(CancellationToken cancellationToken = default);

    /// <summary>Cancels one accepted task by its id: a waiting task is recorded <see cref="TaskOutcome.Cancelled"/> unrun, a running one has its token cancelled.</summary>
    /// <param name="id">The id the pool returned for the task.</param>
    /// <param name="cancellationToken">Stops waiting for the pool's answer; a cancel already sent still applies.</param>
    /// <returns>True when the task was waiting or running and is now being cancelled; false when no task with that id waits or runs (it ended already, or never existed).</returns>
    /// <remarks>A running task ends <see cref="TaskOutcome.Cancelled"/> once it returns, and is not tried again; one that ignores its token runs to its end and keeps its own outcome.</remarks>
    Task<bool> CancelAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Submits again, under a new id, a named task that ended without succeeding: the same handler, payload and options.</summary>
    /// <param name="id">The id of the finished task; its result must still be retained (see <see cref="WorkerPoolOptions.MaxRetainedResults"/>).</param>
    /// <param name="cancellationToken">Stops waiting for queue room, as for <c>SubmitAsync</c>.</param>
    /// <returns>The new task's id; its <see cref="TaskResult.RetryOf"/> is <paramref name="id"/>.</returns>
    /// <exception cref="KeyNotFoundException">No retained result has that id; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The task succeeded.</exception>
    /// <exception cref="NotSupportedException">The task was a closure, not a named task: the pool keeps no delegate to run again.</exception>
    /// <exception cref="SubmitRejectedException">The pool did not accept the new task.</exception>
    Task<long> RetryAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Changes the number of workers while the pool runs.</summary>
    /// <param name="workers">The new worker count.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> is out of range; the message gives the range.</exception>
    void Resize(int workers);

    /// <summary>Returns a snapshot of the pool's figures.</summary>
    /// <returns>Live worker and queue figures and counts of every submit and outcome so far.</returns>
    PoolStats GetStats();

    /// <summary>Returns a copy of the recorded results, keyed by task id; changing it does not touch the pool.</summary>
    /// <returns>The most recent results, at most <see cref="WorkerPoolOptions.MaxRetainedResults"/>.</returns>
    IReadOnlyDictionary<long, TaskResult> GetResults();
}
