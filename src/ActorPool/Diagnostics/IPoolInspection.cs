namespace ActorPool.Diagnostics;

/// <summary>
/// What an operator's view needs beyond <see cref="IWorkerPool"/>: how the pool runs and which tasks
/// wait or run now. Internal: the dashboard is its one reader, so it is not public surface.
/// </summary>
internal interface IPoolInspection
{
    /// <summary>How the pool runs: <c>local</c>, <c>durable</c>, <c>cluster</c> or <c>cluster, durable</c>.</summary>
    string Mode { get; }

    /// <summary>The options the pool was made with; read only.</summary>
    WorkerPoolOptions Options { get; }

    /// <summary>The address of the node whose supervisor decides, for a clustered pool; null otherwise or while unknown.</summary>
    string? SupervisorNode { get; }

    /// <summary>The tasks that wait or run now, running ones first, at most <paramref name="max"/>.</summary>
    /// <param name="max">How many to list at most.</param>
    /// <param name="cancellationToken">Stops waiting for the supervisor's answer.</param>
    /// <returns>A copy; the tasks go on without it.</returns>
    Task<IReadOnlyList<PendingTask>> GetPendingAsync(int max, CancellationToken cancellationToken = default);

    /// <summary>One page of the retained results, newest first; only those with <paramref name="outcome"/> when it is given.</summary>
    /// <param name="outcome">The outcome to list, or null for all.</param>
    /// <param name="skip">How many matching results to pass over, newest first.</param>
    /// <param name="take">How many to return at most.</param>
    /// <returns>The page and how many retained results match in all.</returns>
    ResultPage GetResultPage(TaskOutcome? outcome, int skip, int take);

    /// <summary>The retained result of one task; null when none is retained (it waits, runs, never existed or was evicted).</summary>
    /// <param name="id">The task's id.</param>
    /// <returns>A copy of the result.</returns>
    TaskResult? FindResult(long id);
}

/// <summary>A page of retained results, as <see cref="IPoolInspection.GetResultPage"/> returns it.</summary>
/// <param name="Results">The page, newest first.</param>
/// <param name="Matched">How many retained results match the filter in all.</param>
internal sealed record ResultPage(IReadOnlyList<TaskResult> Results, int Matched);

/// <summary>One task that waits or runs, as <see cref="IPoolInspection.GetPendingAsync"/> saw it.</summary>
/// <param name="Id">The task's id.</param>
/// <param name="Running">Whether a worker runs it now (else it waits: queued, aside for its key, or before a retry).</param>
/// <param name="Handler">The handler's name for a named task; null for a closure.</param>
/// <param name="Key">Its <see cref="TaskOptions.Id"/>, if given.</param>
/// <param name="Attempts">How many times it has been started.</param>
/// <param name="Node">The node running it, on a clustered pool.</param>
internal sealed record PendingTask(long Id, bool Running, string? Handler, string? Key, int Attempts, string? Node);
