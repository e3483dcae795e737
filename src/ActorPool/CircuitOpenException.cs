namespace ActorPool;

/// <summary>
/// The outcome error of a task that was not started because the pool's circuit breaker was open;
/// such a task is recorded <see cref="TaskOutcome.Failed"/> and never retried.
/// </summary>
public sealed class CircuitOpenException : Exception
{
    /// <summary>Creates the exception with a message saying the breaker is open.</summary>
    public CircuitOpenException()
        : base("The task was not started: the pool's circuit breaker is open.")
    {
    }

    /// <summary>Creates the exception with the given message.</summary>
    /// <param name="message">The message to carry.</param>
    public CircuitOpenException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">The message to carry.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public CircuitOpenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
