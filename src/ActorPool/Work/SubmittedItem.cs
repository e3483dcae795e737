namespace ActorPool.Work;

/// <summary>A task from <c>SubmitAsync</c>: nothing waits for it but its result in the store.</summary>
internal sealed class SubmittedItem(Func<CancellationToken, Task> work, TaskOptions? options) : WorkItem(options)
{
    private Func<CancellationToken, Task>? _work = work;

    public override Task? Invoke(CancellationToken token) => _work!(token);

    public override void Release() => _work = null;
}
