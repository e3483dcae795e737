namespace ActorPool;

/// <summary>
/// Runs one kind of named task: <c>SubmitAsync("resize", new Resize(...))</c> reaches the handler
/// registered as <c>"resize"</c> on whichever node runs it. Its payload and result cross process
/// boundaries as JSON, so both must be plain serializable data.
/// </summary>
/// <typeparam name="TPayload">The task's input.</typeparam>
/// <typeparam name="TResult">The task's value, returned to <c>RunAsync</c> callers.</typeparam>
/// <remarks>A handler type is created (or resolved from the host's services) for every run; keep it stateless.</remarks>
public interface ITaskHandler<in TPayload, TResult>
{
    /// <summary>Runs the task.</summary>
    /// <param name="payload">The payload, deserialized for this run.</param>
    /// <param name="cancellationToken">Cancelled on the task's timeout, its caller's token, or the pool's stop.</param>
    /// <returns>The task's value.</returns>
    Task<TResult> HandleAsync(TPayload payload, CancellationToken cancellationToken);
}
