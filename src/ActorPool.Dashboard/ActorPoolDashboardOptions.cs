namespace ActorPool.Dashboard;

/// <summary>How <see cref="ActorPoolDashboardEndpointRouteBuilderExtensions.MapActorPoolDashboard"/> serves its pages.</summary>
/// <remarks>
/// Safe by default: without <see cref="AuthorizationPolicy"/> the dashboard answers only requests
/// from the host's own machine and is read-only (every action gets 403). With a policy, a request
/// must satisfy it to read a page or to act; actions are then enabled.
/// </remarks>
public sealed class ActorPoolDashboardOptions
{
    /// <summary>The most tasks a page can list.</summary>
    public const int MaxPageSize = 1000;

    private readonly Dictionary<string, IWorkerPool> _pools = new(StringComparer.Ordinal);
    private int _pageSize = 50;

    /// <summary>
    /// The name of an authorization policy every request must satisfy; it also enables the
    /// actions (retry, cancel, resize). Null (the default): local requests only, read-only.
    /// </summary>
    public string? AuthorizationPolicy { get; set; }

    /// <summary>How many tasks a pool's task list shows per page, from 1 to <see cref="MaxPageSize"/>; 50 unless set.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is out of range.</exception>
    public int PageSize
    {
        get => _pageSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxPageSize);
            _pageSize = value;
        }
    }

    /// <summary>Pools shown beside those registered with <c>AddActorPool</c>, by name.</summary>
    internal IReadOnlyDictionary<string, IWorkerPool> Pools => _pools;

    /// <summary>Shows a pool the host did not register with <c>AddActorPool</c> (one made with <c>WorkerPool.Create</c>, say).</summary>
    /// <param name="name">The name the dashboard lists it under; unique.</param>
    /// <param name="pool">The pool.</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already taken.</exception>
    public ActorPoolDashboardOptions AddPool(string name, IWorkerPool pool)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(pool);
        if (!_pools.TryAdd(name, pool))
        {
            throw new ArgumentException($"A pool named '{name}' is already on the dashboard.", nameof(name));
        }

        return this;
    }
}
