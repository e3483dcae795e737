using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using ActorPool.Actors;
using Akka.Actor;

namespace ActorPool.Cluster;

/// <summary>
/// What a node offers the cluster workers of one pool: its handlers and rules, the token that
/// ends this node's runs, and the count of runs in progress, so that a leaving node lets them finish.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "The node's token lives as long as its actor system; a run stuck past the leave may still hold it.")]
internal sealed class NodeContext(WorkerPoolOptions options, string node)
{
    /// <summary>Cancelled when this node stops running the pool's tasks: it left, and its runs had their time.</summary>
    private readonly CancellationTokenSource _cancellation = new();
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private int _leaving;

    public WorkerPoolOptions Options { get; } = options;

    /// <summary>This node's address, as outcomes report it.</summary>
    public string Node { get; } = node;

    public CancellationToken Token => _cancellation.Token;

    /// <summary>The node is leaving: its workers start nothing more, and the supervisor runs the rest elsewhere.</summary>
    public bool IsLeaving => Volatile.Read(ref _leaving) == 1;

    public void RunStarted() => Interlocked.Increment(ref _running);

    public void RunEnded()
    {
        if (Interlocked.Decrement(ref _running) == 0 && IsLeaving)
        {
            _idle.TrySetResult();
        }
    }

    /// <summary>
    /// Starts nothing more here and gives the runs in progress up to <paramref name="limit"/> (null:
    /// no limit) to end; then cancels them, and their workers hand them back to be run elsewhere.
    /// </summary>
    public async Task LeaveAsync(TimeSpan? limit)
    {
        Volatile.Write(ref _leaving, 1);
        if (Volatile.Read(ref _running) == 0)
        {
            _idle.TrySetResult();
        }

        try
        {
            await _idle.Task.WaitAsync(limit ?? Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // What is still running is cancelled below and runs again on another node.
        }

        Cancellations.Cancel(_cancellation);
    }
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
