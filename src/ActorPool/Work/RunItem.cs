using ActorPool.Outcomes;

namespace ActorPool.Work;

/// <summary>A task from <c>RunAsync</c>: carries the caller's completion, which the settling thread completes.</summary>
/// <typeparam name="T">The task's value.</typeparam>
internal sealed class RunItem<T>(Func<CancellationToken, Task<T>> work, TaskOptions? options, CancellationToken callerToken)
    : WorkItem(options)
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Func<CancellationToken, Task<T>>? _work = work;

    /// <summary>The run that succeeded; its value completes the caller.</summary>
    private Task<T>? _succeeded;

    public override CancellationToken CallerToken { get; } = callerToken;

    /// <summary>What the caller awaits.</summary>
    public Task<T> Completion => _completion.Task;

    public override Task? Invoke(CancellationToken token) => _work!(token);

    public override void Succeeded(Task completed) => _succeeded = (Task<T>)completed;

    public override void CompleteCaller()
    {
        if (Outcome == TaskOutcome.Succeeded && _succeeded is not null)
        {
            _completion.TrySetFromTask(_succeeded);
            return;
        }

        OutcomeErrors.Complete(_completion, Outcome, Error);
    }

    public override void Release()
    {
        _work = null;
        _succeeded = null;
    }
}
