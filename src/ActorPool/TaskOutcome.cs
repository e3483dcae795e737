namespace ActorPool;

/// <summary>The single outcome recorded for every task a pool accepted.</summary>
public enum TaskOutcome
{
    /// <summary>The task ran and its <see cref="Task"/> completed successfully.</summary>
    Succeeded,

    /// <summary>The task threw, or its worker faulted while running it.</summary>
    Failed,

    /// <summary>The task was cancelled: the pool's start token or the caller's token fired, or it never started before the pool stopped.</summary>
    Cancelled,

    /// <summary>The task ran longer than its timeout, or than the pool's shutdown timeout while stopping.</summary>
    TimedOut,

    /// <summary>The task was accepted but removed from the queue before it could start.</summary>
    Dropped,
}
