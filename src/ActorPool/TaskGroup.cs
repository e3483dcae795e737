using System.Runtime.ExceptionServices;

namespace ActorPool;

/// <summary>
/// Runs a set of tasks on a pool and waits for them as one: by default the first failure
/// cancels the group's remaining tasks and <see cref="WaitAsync"/> rethrows it.
/// </summary>
/// <remarks>
/// Each task still gets its own outcome in the pool; tasks cancelled because another failed
/// (including ones still waiting, which never start) are recorded <see cref="TaskOutcome.Cancelled"/>
/// and are not reported as group failures. Works on any <see cref="IWorkerPool"/>, an injected one
/// included. Safe to call from many threads, including from inside the group's own tasks.
/// </remarks>
public sealed class TaskGroup : IDisposable
{
    private readonly IWorkerPool _pool;
    private readonly bool _collectAllErrors;
    private readonly CancellationTokenSource _cancellation;

    /// <summary>Guards <see cref="_runs"/> and <see cref="_errors"/>.</summary>
    private readonly Lock _groupLock = new();

    private readonly List<Task> _runs = [];
    private readonly List<Exception> _errors = [];
    private int _disposed;

    /// <summary>Creates an empty group on <paramref name="pool"/>.</summary>
    /// <param name="pool">The pool the group's tasks run on.</param>
    /// <param name="collectAllErrors">False (the default): the first failure cancels the rest and is rethrown. True: every task runs to its end and all failures are thrown together as an <see cref="AggregateException"/>.</param>
    /// <param name="cancellationToken">Cancels every task of the group.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pool"/> is null.</exception>
    public TaskGroup(IWorkerPool pool, bool collectAllErrors = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
        _collectAllErrors = collectAllErrors;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>Submits a task to the pool as part of the group and returns at once.</summary>
    /// <param name="task">The work; its token is cancelled when the group is cancelled, as well as by the pool.</param>
    /// <param name="options">Per-task settings, or null for the pool's defaults; checked here, as every submit checks them.</param>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A task option is invalid; <see cref="ArgumentException.ParamName"/> names it.</exception>
    /// <exception cref="ObjectDisposedException">The group was disposed.</exception>
    /// <remarks>A task the pool does not accept counts as a failure of the group.</remarks>
    public void Go(Func<CancellationToken, Task> task, TaskOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        options?.Validate();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        var run = RunAsync(task, options);
        lock (_groupLock)
        {
            _runs.Add(run);
        }
    }

    /// <summary>Waits until every task given to <see cref="Go"/> so far has an outcome.</summary>
    /// <param name="cancellationToken">Stops waiting; the tasks are not affected.</param>
    /// <returns>A task that completes when all succeeded.</returns>
    /// <exception cref="AggregateException">With <c>collectAllErrors</c>: one or more tasks failed; it holds every failure.</exception>
    /// <remarks>Without <c>collectAllErrors</c>, the first failure is rethrown as it was thrown.</remarks>
    public async Task WaitAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task[] runs;
            lock (_groupLock)
            {
                runs = [.. _runs];
            }

            await Task.WhenAll(runs).WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (_groupLock)
            {
                // A task may have added more tasks to the group while we waited.
                if (_runs.Count != runs.Length)
                {
                    continue;
                }

                if (_errors.Count == 0)
                {
                    return;
                }

                if (_collectAllErrors)
                {
                    throw new AggregateException("One or more tasks of the group failed.", _errors);
                }

                ExceptionDispatchInfo.Throw(_errors[0]);
            }
        }
    }

    /// <summary>Cancels the group's unfinished tasks; call it after <see cref="WaitAsync"/>. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Actors.Cancellations.Cancel(_cancellation);
    }

    private async Task RunAsync(Func<CancellationToken, Task> task, TaskOptions? options)
    {
        var run = new GroupRun(this, task);
        try
        {
            // The group's token is the caller's token of RunAsync: a waiting task never starts once
            // it fires, a running one sees it through its own token.
            await _pool.RunAsync(run.ExecuteAsync, options, _cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested && !run.Failed)
        {
            // Cancelled because the group was: not a failure of its own. One that already started
            // is waited for, so the group ends after its tasks do.
            await run.Ended.ConfigureAwait(false);
        }
        catch (Exception ex) when (!run.Failed)
        {
            Fail(ex);
        }
        catch (Exception)
        {
            // Reported from inside the task already.
        }
    }

    private void Fail(Exception error)
    {
        lock (_groupLock)
        {
            _errors.Add(error);
        }

        if (!_collectAllErrors)
        {
            // Tasks' own cancellation callbacks run on the thread pool, never in this caller.
            Actors.Cancellations.Cancel(_cancellation);
        }
    }

    /// <summary>One task of the group as the pool runs it.</summary>
    private sealed class GroupRun(TaskGroup group, Func<CancellationToken, Task> task)
    {
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;

        /// <summary>Completes when the task, if it started, has returned.</summary>
        public Task Ended => Volatile.Read(ref _started) == 1 ? _ended.Task : Task.CompletedTask;

        /// <summary>The task failed and reported it to the group itself.</summary>
        public bool Failed { get; private set; }

        public async Task<bool> ExecuteAsync(CancellationToken token)
        {
            Volatile.Write(ref _started, 1);
            try
            {
                await (task(token) ?? throw new InvalidOperationException("The task delegate returned null instead of a Task.")).ConfigureAwait(false);
                return true;
            }
            catch (Exception ex) when (!group._cancellation.IsCancellationRequested)
            {
                // Cancel the rest while this task still holds its worker, so no task waiting in
                // the queue can start in between.
                Failed = true;
                group.Fail(ex);
                throw;
            }
            finally
            {
                _ended.TrySetResult();
            }
        }
    }
}
