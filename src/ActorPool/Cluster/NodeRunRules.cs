using ActorPool.Actors;
using ActorPool.Work;
using Akka.Actor;

namespace ActorPool.Cluster;

/// <summary>
/// The run rules of one cluster worker: its node's token and clock, and a deadline that reports
/// the timed-out task to the supervisor at once, as a part of the worker's batch report.
/// </summary>
internal sealed class NodeRunRules : RunRules
{
    public required NodeContext Node { get; init; }

    /// <summary>The worker these rules belong to: the sender of its reports.</summary>
    public required IActorRef Worker { get; init; }

    public required IActorRef Supervisor { get; init; }

    public override TimeProvider Time => Node.Options.TimeProvider;

    /// <summary>A node that leaves does not stop the pool: a task that failed while it left may still try again elsewhere.</summary>
    public override bool PoolTokenEndsRetries => false;

    public static NodeRunRules For(NodeContext node, IActorRef worker, IActorRef supervisor) => new()
    {
        Node = node,
        Worker = worker,
        Supervisor = supervisor,
        PoolToken = node.Token,
        TaskTimeout = null, // every task carries its own, decided by the supervisor
        MaxAttempts = 1,
        ShouldRetry = node.Options.ShouldRetry,
        InsideMarker = null,
    };

    public override void DeadlinePassed(WorkItem item, TimeoutException error)
    {
        if (item.TryMove(ItemState.Running, ItemState.Settled))
        {
            // More: the worker keeps its batch (and stays busy) until the delegate really returns.
            Supervisor.Tell(new TasksRan([Report((NamedItem)item, TaskOutcome.TimedOut, null, error, retryWanted: false)], More: true), Worker);
        }
    }

    /// <summary>How a run on this node ended, as the supervisor hears it.</summary>
    public WireOutcome Report(NamedItem item, TaskOutcome outcome, byte[]? result, Exception? error, bool retryWanted)
    {
        var ran = Time.GetElapsedTime(item.StartTimestamp);
        return new WireOutcome(
            item.Id,
            outcome,
            result,
            error?.GetType().FullName,
            WireBudget.Cut(error?.Message),
            ran.Ticks,
            Time.GetUtcNow() - ran,
            item.Attempts,
            retryWanted,
            Node.Node);
    }
}
