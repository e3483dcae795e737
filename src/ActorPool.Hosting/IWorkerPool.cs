namespace ActorPool.Hosting;

/// <summary>
/// The application's handle on a pool that the host owns: submit work, wait for it, read figures.
/// Inject it by the pool's name (<c>[FromKeyedServices("mail")] IWorkerPool</c>); the first pool
/// registered is also injectable without a key.
/// </summary>
/// <remarks>
/// Starting and stopping belong to the host: the pool starts with it and drains in the actor
/// system's CoordinatedShutdown when it stops. Members behave as the same members of <see cref="WorkerPool"/>.
/// </remarks>
public interface IWorkerPool
{
    /// <summary>The pool's name, as registered.</summary>
    string Name { get; }

    /// <summary>The number of workers the pool has or is resizing to.</summary>
    int Workers { get; }

    /// <summary>Submits a task and returns its id once the pool has accepted it.</summary>
    /// <param name="task">The work; it receives a token cancelled on timeout or when a stop stops waiting.</param>
    /// <param name="options">Per-task settings, or null for the pool's defaults.</param>
    /// <param name="cancellationToken">Stops waiting for queue room or for the answer.</param>
    /// <returns>The id under which the task's <see cref="TaskResult"/> is recorded.</returns>
    /// <exception cref="SubmitRejectedException">The pool is stopping or stopped, or its queue is full under <see cref="OverflowPolicy.Reject"/>.</exception>
    Task<long> SubmitAsync(Func<CancellationToken, Task> task, TaskOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Submits a task if the pool takes it now, without waiting for queue room.</summary>
    /// <param name="task">The work.</param>
    /// <param name="options">Per-task settings, or null for the pool's defaults.</param>
    /// <returns><see langword="true"/> if the task was accepted.</returns>
    Task<bool> TrySubmitAsync(Func<CancellationToken, Task> task, TaskOptions? options = null);

    /// <summary>Submits a task that produces a value and waits for that value.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="task">The work.</param>
    /// <param name="options">Per-task settings, or null for the pool's defaults.</param>
    /// <param name="cancellationToken">Stops waiting, and cancels the task's token.</param>
    /// <returns>The task's value; the task's own exception if it failed.</returns>
    Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> task, TaskOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Waits until every task accepted before the call has a recorded outcome.</summary>
    /// <param name="cancellationToken">Stops waiting; the tasks are not affected.</param>
    /// <returns>A task that completes when those outcomes are recorded.</returns>
    Task WaitAsync(CancellationToken cancellationToken = default);

    /// <summary>Changes the number of workers while the pool runs.</summary>
    /// <param name="workers">The new worker count, &gt; 0.</param>
    void Resize(int workers);

    /// <summary>Returns a snapshot of the pool's figures.</summary>
    /// <returns>Live worker and queue figures and counts of every submit and outcome so far.</returns>
    PoolStats GetStats();

    /// <summary>Returns a copy of the recorded results, keyed by task id.</summary>
    /// <returns>The most recent results, at most the pool's <see cref="WorkerPoolOptions.MaxRetainedResults"/>.</returns>
    IReadOnlyDictionary<long, TaskResult> GetResults();
}
