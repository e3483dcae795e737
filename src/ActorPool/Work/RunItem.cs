using ActorPool.Outcomes;

namespace ActorPool.Work;

/// <summary>A task from <c>RunAsync</c>: carries the caller's completion, which the settling thread completes.</summary>
/// <typeparam name="T">The task's value.</typeparam>
internal sealed class RunItem<T>(Func<CancellationToken, Task<T>> work, TaskOptions? options, CancellationToken callerToken)
    : WorkItem(options)
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The delegate until a run succeeds, then that run's task, whose value completes the caller (one field: the item is allocated per task).</summary>
    private object? _workOrRun = work;

    public override CancellationToken CallerToken { get; } = callerToken;

    /// <summary>What the caller awaits.</summary>
    public Task<T> Completion => _completion.Task;

    public override Task? Invoke(CancellationToken token) => _workOrRun is Func<CancellationToken, Task<T>> work ? work(token) : null;

    public override void Succeeded(Task completed) => _workOrRun = completed;

    public override void CompleteCaller()
    {
        if (Outcome == TaskOutcome.Succeeded && _workOrRun is Task<T> succeeded)
        {
            _completion.TrySetFromTask(succeeded);
            return;
        }

        OutcomeErrors.Complete(_completion, Outcome, Error);
    }

    public override object? ValueForJoiners => _workOrRun as Task<T>;

    public override void CompleteAsJoiner(TaskOutcome outcome, Exception? error, object? value, string key)
    {
        if (outcome != TaskOutcome.Succeeded)
        {
            OutcomeErrors.Complete(_completion, outcome, error);
        }
        else if (value is Task<T> run)
        {
            _completion.TrySetFromTask(run);
        }
        else if (value is null && default(T) is null)
        {
            _completion.TrySetResult(default!); // the task it joined gives no value
        }
        else
        {
            _completion.TrySetException(new InvalidCastException($"The task with key '{key}' this call joined does not give a {typeof(T).Name}."));
        }
    }

    public override void RefuseCaller(Exception error) => OutcomeErrors.Refuse(_completion, error);

    public override void Release() => _workOrRun = null;
}
