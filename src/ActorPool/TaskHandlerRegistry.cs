using ActorPool.Named;

namespace ActorPool;

/// <summary>
/// The named tasks a pool can run, by name (<see cref="WorkerPoolOptions.Handlers"/>). Register
/// the same names on every node of a cluster: a task submitted on one node may run on another.
/// </summary>
/// <remarks>Names are case-sensitive. Payloads and results are plain data serialized as JSON (System.Text.Json, web defaults).</remarks>
public sealed class TaskHandlerRegistry
{
    private readonly Dictionary<string, TaskHandler> _handlers = new(StringComparer.Ordinal);

    /// <summary>The registered names.</summary>
    public IReadOnlyCollection<string> Names => _handlers.Keys;

    /// <summary>Registers a handler that returns a value.</summary>
    /// <typeparam name="TPayload">The payload's type.</typeparam>
    /// <typeparam name="TResult">The value's type.</typeparam>
    /// <param name="name">The handler's name, unique in the registry.</param>
    /// <param name="handler">Runs one task.</param>
    /// <returns>This registry, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or taken.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    public TaskHandlerRegistry Add<TPayload, TResult>(string name, Func<TPayload, CancellationToken, Task<TResult>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Register(name, new TaskHandler(name, typeof(TPayload), typeof(TResult), async (payload, _, token) => await handler((TPayload)payload!, token).ConfigureAwait(false)));
    }

    /// <summary>Registers a handler that returns no value (<c>RunAsync</c> on it yields the result type's default).</summary>
    /// <typeparam name="TPayload">The payload's type.</typeparam>
    /// <param name="name">The handler's name, unique in the registry.</param>
    /// <param name="handler">Runs one task.</param>
    /// <returns>This registry, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or taken.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    public TaskHandlerRegistry Add<TPayload>(string name, Func<TPayload, CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Register(name, new TaskHandler(name, typeof(TPayload), resultType: null, async (payload, _, token) =>
        {
            await handler((TPayload)payload!, token).ConfigureAwait(false);
            return null;
        }));
    }

    /// <summary>
    /// Registers a handler type. Each run gets an instance from the pool's
    /// <see cref="WorkerPoolOptions.Services"/> (a hosted pool's are the host's), or one made with
    /// the type's public parameterless constructor.
    /// </summary>
    /// <typeparam name="THandler">The handler type.</typeparam>
    /// <typeparam name="TPayload">The payload's type.</typeparam>
    /// <typeparam name="TResult">The value's type.</typeparam>
    /// <param name="name">The handler's name, unique in the registry.</param>
    /// <returns>This registry, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or taken.</exception>
    public TaskHandlerRegistry Add<THandler, TPayload, TResult>(string name)
        where THandler : class, ITaskHandler<TPayload, TResult> =>
        Register(name, new TaskHandler(name, typeof(TPayload), typeof(TResult), async (payload, services, token) =>
        {
            var (instance, owned) = Create<THandler>(name, services);
            try
            {
                return await instance.HandleAsync((TPayload)payload!, token).ConfigureAwait(false);
            }
            finally
            {
                if (owned)
                {
                    // We made it, so we dispose of it; the container disposes of what it made.
                    (instance as IDisposable)?.Dispose();
                }
            }
        }));

    /// <summary>Whether a handler of that name is registered.</summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> if registered.</returns>
    public bool Contains(string name) => _handlers.ContainsKey(name);

    /// <summary>The handler of <paramref name="name"/>, for the pool.</summary>
    internal bool TryGet(string name, out TaskHandler handler) => _handlers.TryGetValue(name, out handler!);

    /// <summary>The handler of that name, or an error that lists the registered ones.</summary>
    /// <exception cref="ArgumentException">No handler has that name; <see cref="ArgumentException.ParamName"/> is <paramref name="paramName"/>.</exception>
    internal TaskHandler Require(string name, string pool, string paramName)
    {
        if (TryGet(name, out var handler))
        {
            return handler;
        }

        var known = Names.Count == 0 ? "none" : string.Join(", ", Names.Order(StringComparer.Ordinal));
        throw new ArgumentException($"No task handler named '{name}' is registered with pool '{pool}' (registered: {known}).", paramName);
    }

    internal TaskHandlerRegistry Clone()
    {
        var copy = new TaskHandlerRegistry();
        foreach (var (name, handler) in _handlers)
        {
            copy._handlers[name] = handler;
        }

        return copy;
    }

    private static (THandler Instance, bool Owned) Create<THandler>(string name, IServiceProvider? services)
        where THandler : class
    {
        if (services?.GetService(typeof(THandler)) is THandler resolved)
        {
            return (resolved, false);
        }

        try
        {
            return (Activator.CreateInstance<THandler>(), true);
        }
        catch (MissingMethodException ex)
        {
            throw new InvalidOperationException(
                $"The handler '{name}' ({typeof(THandler).Name}) has no public parameterless constructor and the pool's services do not provide it; register it with the host's services or give it such a constructor.",
                ex);
        }
    }

    private TaskHandlerRegistry Register(string name, TaskHandler handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_handlers.TryAdd(name, handler))
        {
            throw new ArgumentException($"A task handler named '{name}' is already registered.", nameof(name));
        }

        return this;
    }
}
