namespace ActorPool.Named;

/// <summary>One registered named task: its payload and result types and how to run it.</summary>
internal sealed class TaskHandler(string name, Type payloadType, Type? resultType, Func<object?, IServiceProvider?, CancellationToken, Task<object?>> invoke)
{
    public string Name { get; } = name;

    public Type PayloadType { get; } = payloadType;

    /// <summary>The handler's value type; null when it returns none.</summary>
    public Type? ResultType { get; } = resultType;

    /// <summary>Runs the handler on a payload already deserialized to <see cref="PayloadType"/>.</summary>
    public Task<object?> InvokeAsync(object? payload, IServiceProvider? services, CancellationToken token) => invoke(payload, services, token);
}
