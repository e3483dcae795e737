namespace ActorPool;

/// <summary>Settings of the pool-wide circuit breaker (<see cref="WorkerPoolOptions.CircuitBreaker"/>).</summary>
/// <remarks>
/// After <see cref="MaxFailures"/> consecutive failed or timed-out tasks the breaker opens: tasks
/// that would start fail fast with <see cref="CircuitOpenException"/>. After
/// <see cref="ResetTimeout"/> one trial task runs; its success closes the breaker, its failure
/// opens it again.
/// </remarks>
public sealed class CircuitBreakerOptions
{
    /// <summary>Consecutive failures that open the breaker.</summary>
    /// <value>Defaults to 5. Must be &gt; 0.</value>
    public int MaxFailures { get; set; } = 5;

    /// <summary>How long the breaker stays open before a trial task may run.</summary>
    /// <value>Defaults to 30 seconds. Must be &gt; 0.</value>
    public TimeSpan ResetTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        if (MaxFailures <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFailures), MaxFailures, $"CircuitBreaker.{nameof(MaxFailures)} must be > 0, was: {MaxFailures}.");
        }

        if (ResetTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ResetTimeout), ResetTimeout, $"CircuitBreaker.{nameof(ResetTimeout)} must be > 0, was: {ResetTimeout}.");
        }
    }
}
