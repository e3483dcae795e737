namespace ActorPool;

/// <summary>Why a pool refused to accept a task.</summary>
public enum RejectionReason
{
    /// <summary>The pool was created with zero or fewer workers, so no task could ever run.</summary>
    NoWorkers,

    /// <summary>The pool is stopping or stopped, or its start token was cancelled.</summary>
    Stopped,

    /// <summary>The pool's queue is full and its overflow policy refuses new tasks.</summary>
    QueueFull,

    /// <summary>The pool runs named tasks only (it is clustered or durable): a closure cannot leave its process or be journaled.</summary>
    NamedTasksOnly,
}
