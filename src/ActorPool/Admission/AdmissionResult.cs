namespace ActorPool.Admission;

/// <summary>What became of a submit that did not wait.</summary>
internal enum AdmissionResult
{
    /// <summary>Accepted: it has an id and will get exactly one outcome.</summary>
    Accepted,

    /// <summary>The queue is full and the policy is to wait for room.</summary>
    NeedsRoom,

    /// <summary>Refused: the pool has no workers.</summary>
    NoWorkers,

    /// <summary>Refused: the pool is stopping or stopped, or its start token fired.</summary>
    Stopped,

    /// <summary>Refused: the queue is full and the policy refuses.</summary>
    QueueFull,
}
