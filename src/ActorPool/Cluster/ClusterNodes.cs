using System.Collections.Concurrent;
using ActorPool.Engines;
using Akka.Actor;

namespace ActorPool.Cluster;

/// <summary>What a node offers the cluster workers of one pool: where tasks run here, and by which rules.</summary>
internal sealed class NodeContext(LocalEngine executor, WorkerPoolOptions options, string node)
{
    /// <summary>The local pool that runs this node's share of the cluster's tasks.</summary>
    public LocalEngine Executor { get; } = executor;

    public WorkerPoolOptions Options { get; } = options;

    /// <summary>This node's address, as outcomes report it.</summary>
    public string Node { get; } = node;
}

/// <summary>
/// The pools this node hosts cluster workers for, by name. Workers are deployed onto a node by the
/// supervisor's router with nothing but the pool's name, so they find their handlers here.
/// </summary>
internal sealed class ClusterNodes : IExtension
{
    private readonly ConcurrentDictionary<string, NodeContext> _pools = new(StringComparer.Ordinal);

    public static ClusterNodes Get(ActorSystem system) => system.WithExtension<ClusterNodes, ClusterNodesProvider>();

    public void Register(string pool, NodeContext context) => _pools[pool] = context;

    public bool TryGet(string pool, out NodeContext context) => _pools.TryGetValue(pool, out context!);
}

/// <summary>Creates the <see cref="ClusterNodes"/> extension of a system.</summary>
internal sealed class ClusterNodesProvider : ExtensionIdProvider<ClusterNodes>
{
    public override ClusterNodes CreateExtension(ExtendedActorSystem system) => new();
}
