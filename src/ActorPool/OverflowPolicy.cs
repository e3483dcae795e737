namespace ActorPool;

/// <summary>What a submit does when the pool's bounded queue (<see cref="WorkerPoolOptions.QueueSize"/>) is full.</summary>
public enum OverflowPolicy
{
    /// <summary>The submit waits for room, honouring its cancellation token. A submit from inside one of the pool's own tasks never waits: it is accepted beyond the bound.</summary>
    Block,

    /// <summary>The submit fails at once with <see cref="SubmitRejectedException"/> and <see cref="RejectionReason.QueueFull"/>.</summary>
    Reject,

    /// <summary>The oldest waiting task is removed and recorded <see cref="TaskOutcome.Dropped"/>; the new one is accepted.</summary>
    DropOldest,
}
