using ActorPool.Named;

namespace ActorPool.Work;

/// <summary>
/// A task submitted by handler name: its payload travels as JSON bytes, so the same item can be
/// run here, sent to a worker on another node, or journaled. Each run deserializes a fresh payload.
/// </summary>
internal class NamedItem(TaskHandler handler, byte[] payload, TaskOptions? options, IServiceProvider? services) : WorkItem(options)
{
    private string? _node;

    public TaskHandler Handler { get; } = handler;

    /// <summary>The payload as JSON.</summary>
    public byte[] Payload { get; } = payload;

    /// <summary>The value of the run that succeeded.</summary>
    public object? Value { get; private set; }

    /// <summary>A clustered pool's front only: completes with the cluster's id once its supervisor accepted the task.</summary>
    public TaskCompletionSource<long>? Acceptance { get; set; }

    /// <summary>A clustered pool's front only: the front's own sequence number for the task, for <c>WaitAsync</c>.</summary>
    public long LocalSeq { get; set; }

    /// <summary>Where it ran, when a clustered pool ran it on some node.</summary>
    public override string? Node => _node;

    public override Task? Invoke(CancellationToken token) => RunAsync(token);

    public override void Release() => Value = null;

    /// <summary>Takes in how another node ran the task: its value (as JSON) and the node; before the outcome is recorded.</summary>
    public void RanRemotely(byte[]? result, string? node)
    {
        _node = node;
        Value = result is null || Handler.ResultType is null ? null : PayloadCodec.Deserialize(result, Handler.ResultType);
    }

    private async Task RunAsync(CancellationToken token)
    {
        var payload = PayloadCodec.Deserialize(Payload, Handler.PayloadType);
        Value = await Handler.InvokeAsync(payload, services, token).ConfigureAwait(false);
    }
}

/// <summary>A named task from <c>RunAsync</c>: completes the caller with the handler's value.</summary>
/// <typeparam name="T">The value the caller asked for.</typeparam>
internal sealed class NamedRunItem<T>(TaskHandler handler, byte[] payload, TaskOptions? options, IServiceProvider? services, CancellationToken callerToken)
    : NamedItem(handler, payload, options, services)
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override CancellationToken CallerToken { get; } = callerToken;

    public Task<T> Completion => _completion.Task;

    public override void RefuseCaller(Exception error) => Outcomes.OutcomeErrors.Refuse(_completion, error);

    public override void CompleteCaller()
    {
        if (Outcome != TaskOutcome.Succeeded)
        {
            Outcomes.OutcomeErrors.Complete(_completion, Outcome, Error);
            return;
        }

        try
        {
            _completion.TrySetResult(PayloadCodec.Convert<T>(Value)!);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException or InvalidCastException)
        {
            _completion.TrySetException(new InvalidCastException($"The handler '{Handler.Name}' returned a {Value?.GetType().Name}, which cannot be read as a {typeof(T).Name}.", ex));
        }
    }
}

/// <summary>
/// A named task run on behalf of another part of the pool (a cluster worker, the journal): hands
/// its whole settled item to whoever waits, and can say when each run starts.
/// </summary>
internal sealed class ExecutedItem(TaskHandler handler, byte[] payload, TaskOptions? options, IServiceProvider? services, Action? starting = null, CancellationToken callerToken = default)
    : NamedItem(handler, payload, options, services)
{
    /// <summary>The token of the <c>RunAsync</c> that waits for it, when that caller is in this process: cancelling it cancels the task here.</summary>
    public override CancellationToken CallerToken { get; } = callerToken;

    private readonly TaskCompletionSource<ExecutedItem> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override Task? Invoke(CancellationToken token)
    {
        starting?.Invoke();
        return base.Invoke(token);
    }

    /// <summary>Completes with this item once its outcome is recorded, whatever it is.</summary>
    public Task<ExecutedItem> Done => _done.Task;

    public override void CompleteCaller() => _done.TrySetResult(this);

    // The worker reads the value after the outcome is recorded; nothing is retained, so keep it.
    public override void Release()
    {
    }
}
