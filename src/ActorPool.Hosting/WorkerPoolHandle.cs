using ActorPool.Diagnostics;

namespace ActorPool.Hosting;

/// <summary>Forwards <see cref="IWorkerPool"/> to a host-owned <see cref="WorkerPool"/>; it has no stop, because the host stops the pool.</summary>
internal sealed class WorkerPoolHandle(WorkerPool pool) : IWorkerPool, IPoolInspection
{
    /// <summary>The pool itself, for the host's start and stop.</summary>
    public WorkerPool Pool { get; } = pool;

    public string Name => Pool.Name;

    public int Workers => Pool.Workers;

    public PoolSchedules Schedules => Pool.Schedules;

    public Task<long> SubmitAsync(Func<CancellationToken, Task> task, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        Pool.SubmitAsync(task, options, cancellationToken);

    public Task<long> SubmitAsync(Func<CancellationToken, Task> task, CancellationToken cancellationToken) =>
        Pool.SubmitAsync(task, cancellationToken);

    public Task<bool> TrySubmitAsync(Func<CancellationToken, Task> task, TaskOptions? options = null) => Pool.TrySubmitAsync(task, options);

    public Task<IReadOnlyList<long>> SubmitManyAsync(IEnumerable<Func<CancellationToken, Task>> tasks, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        Pool.SubmitManyAsync(tasks, options, cancellationToken);

    public Task<long> SubmitAsync(string handler, object? payload, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        Pool.SubmitAsync(handler, payload, options, cancellationToken);

    public Task<IReadOnlyList<long>> SubmitManyAsync(string handler, IEnumerable<object?> payloads, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        Pool.SubmitManyAsync(handler, payloads, options, cancellationToken);

    public Task<TResult> RunAsync<TResult>(string handler, object? payload, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        Pool.RunAsync<TResult>(handler, payload, options, cancellationToken);

    public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> task, TaskOptions? options = null, CancellationToken cancellationToken = default) =>
        Pool.RunAsync(task, options, cancellationToken);

    public Task WaitAsync(CancellationToken cancellationToken = default) => Pool.WaitAsync(cancellationToken);

    public void Resize(int workers) => Pool.Resize(workers);

    public Task<bool> CancelAsync(long id, CancellationToken cancellationToken = default) => Pool.CancelAsync(id, cancellationToken);

    public Task<long> RetryAsync(long id, CancellationToken cancellationToken = default) => Pool.RetryAsync(id, cancellationToken);

    string IPoolInspection.Mode => Inspection.Mode;

    WorkerPoolOptions IPoolInspection.Options => Inspection.Options;

    string? IPoolInspection.SupervisorNode => Inspection.SupervisorNode;

    private IPoolInspection Inspection => Pool;

    Task<IReadOnlyList<PendingTask>> IPoolInspection.GetPendingAsync(int max, CancellationToken cancellationToken) => Inspection.GetPendingAsync(max, cancellationToken);

    ResultPage IPoolInspection.GetResultPage(TaskOutcome? outcome, int skip, int take) => Inspection.GetResultPage(outcome, skip, take);

    TaskResult? IPoolInspection.FindResult(long id) => Inspection.FindResult(id);

    public PoolStats GetStats() => Pool.GetStats();

    public IReadOnlyDictionary<long, TaskResult> GetResults() => Pool.GetResults();
}
