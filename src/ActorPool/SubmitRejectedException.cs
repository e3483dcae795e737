namespace ActorPool;

/// <summary>Thrown when a pool does not accept a task; <see cref="Reason"/> says why.</summary>
public sealed class SubmitRejectedException : InvalidOperationException
{
    /// <summary>Creates an exception for the given reason with a message that names it.</summary>
    /// <param name="reason">Why the task was refused.</param>
    public SubmitRejectedException(RejectionReason reason)
        : base(DescribeReason(reason))
    {
        Reason = reason;
    }

    /// <summary>Creates an exception for the given reason with a caller-supplied message.</summary>
    /// <param name="reason">Why the task was refused.</param>
    /// <param name="message">The message to carry.</param>
    public SubmitRejectedException(RejectionReason reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>Creates an exception with <see cref="RejectionReason.Stopped"/> as the reason.</summary>
    public SubmitRejectedException()
        : this(RejectionReason.Stopped)
    {
    }

    /// <summary>Creates an exception with <see cref="RejectionReason.Stopped"/> as the reason and the given message.</summary>
    /// <param name="message">The message to carry.</param>
    public SubmitRejectedException(string message)
        : this(RejectionReason.Stopped, message)
    {
    }

    /// <summary>Creates an exception with <see cref="RejectionReason.Stopped"/> as the reason, a message and an inner exception.</summary>
    /// <param name="message">The message to carry.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public SubmitRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = RejectionReason.Stopped;
    }

    /// <summary>Why the task was refused.</summary>
    public RejectionReason Reason { get; }

    private static string DescribeReason(RejectionReason reason) => reason switch
    {
        RejectionReason.NoWorkers => "The task was rejected: the pool has no workers (workers must be > 0).",
        RejectionReason.Stopped => "The task was rejected: the pool is stopping or stopped.",
        RejectionReason.QueueFull => "The task was rejected: the pool's queue is full.",
        RejectionReason.NamedTasksOnly => "The task was rejected: this pool runs named tasks only (SubmitAsync(handler, payload)); a closure cannot cross to another node or into a journal.",
        _ => $"The task was rejected: {reason}.",
    };
}
