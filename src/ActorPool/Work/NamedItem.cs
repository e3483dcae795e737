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

    public override string? HandlerName => Handler.Name;

    public override byte[]? PayloadJson => Payload;

    /// <summary>The id of the task this one retries (<c>RetryAsync</c>), or 0.</summary>
    public long Retries { get; init; }

    public override long RetryOf => Retries;

    /// <summary>The value of the run that succeeded.</summary>
    public object? Value { get; private set; }

    /// <summary>A clustered pool's front only: completes with the cluster's id once its supervisor accepted the task.</summary>
    public TaskCompletionSource<long>? Acceptance { get; set; }

    /// <summary>A clustered pool's front only: the front's own sequence number for the task, for <c>WaitAsync</c>.</summary>
    public long LocalSeq { get; set; }

    /// <summary>A clustered pool's front only: later submits of this front that joined the same task by its key, settled with it.</summary>
    public List<NamedItem>? Joiners { get; set; }

    /// <summary>Where it ran, when a clustered pool ran it on some node.</summary>
    public override string? Node => _node;

    public override Task? Invoke(CancellationToken token) => RunAsync(token);

    public override object? ValueForJoiners => Value;

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

    public override void CompleteCaller() => Complete(Outcome, Error, Value);

    public override void CompleteAsJoiner(TaskOutcome outcome, Exception? error, object? value, string key) => Complete(outcome, error, value);

    private void Complete(TaskOutcome outcome, Exception? error, object? value)
    {
        if (outcome != TaskOutcome.Succeeded)
        {
            Outcomes.OutcomeErrors.Complete(_completion, outcome, error);
            return;
        }

        try
        {
            _completion.TrySetResult(PayloadCodec.Convert<T>(value)!);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException or InvalidCastException)
        {
            _completion.TrySetException(new InvalidCastException($"The handler '{Handler.Name}' returned a {value?.GetType().Name}, which cannot be read as a {typeof(T).Name}.", ex));
        }
    }
}
