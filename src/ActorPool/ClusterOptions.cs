namespace ActorPool;

/// <summary>
/// Spreads a pool's workers over an Akka.Cluster (<see cref="WorkerPoolOptions.Cluster"/>). The
/// pool's supervisor runs as a cluster singleton on the oldest node with <see cref="Role"/>, and
/// a cluster-aware router pool creates <see cref="MaxWorkersPerNode"/> workers on every such node.
/// Only named tasks can run on a clustered pool: a closure cannot leave its process.
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>Whether the pool runs across the cluster its actor system belongs to.</summary>
    /// <value>Defaults to <see langword="false"/>. The actor system must use <c>akka.actor.provider = cluster</c>.</value>
    public bool Enabled { get; set; }

    /// <summary>The cluster role of the nodes that host workers and the supervisor; other nodes only submit.</summary>
    /// <value>Defaults to <c>"worker"</c>; null or empty means every node.</value>
    public string? Role { get; set; } = "worker";

    /// <summary>How many workers each node with the role hosts.</summary>
    /// <value>Defaults to 0: the pool's <see cref="WorkerPoolOptions.Workers"/>. Every node should use the same value; the supervisor's node decides.</value>
    public int MaxWorkersPerNode { get; set; }

    internal ClusterOptions Clone() => (ClusterOptions)MemberwiseClone();

    internal void Validate()
    {
        WorkerPoolOptions.CheckRange(MaxWorkersPerNode, 0, OptionLimits.MaxWorkers, $"Cluster.{nameof(MaxWorkersPerNode)}");
    }
}
