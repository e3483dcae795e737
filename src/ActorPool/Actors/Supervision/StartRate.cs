using System.Threading.RateLimiting;

namespace ActorPool.Actors.Supervision;

/// <summary>
/// The start-rate limit (<see cref="WorkerPoolOptions.TasksPerSecond"/>): a token bucket from
/// System.Threading.RateLimiting, asked once per task start. When the bucket is empty the
/// supervisor waits for one token without blocking and keeps it for the next start.
/// </summary>
internal sealed class StartRate : IDisposable
{
    private readonly TokenBucketRateLimiter _limiter;
    private bool _holdsToken;
    private bool _awaitingToken;

    public StartRate(double tasksPerSecond, int burst)
    {
        // Refill about twenty times a second in whole tokens: finer periods only add timer wake-ups.
        var perPeriod = Math.Max(1, (int)Math.Ceiling(tasksPerSecond / 20));
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            // One refill's worth beyond the burst, so a refill that comes late under load is not lost.
            TokenLimit = burst + perPeriod,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(perPeriod / tasksPerSecond),
            QueueLimit = 1,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    /// <summary>Takes a token for one start if there is one now.</summary>
    public bool TryTake()
    {
        if (_holdsToken)
        {
            _holdsToken = false;
            return true;
        }

        using var lease = _limiter.AttemptAcquire();
        return lease.IsAcquired;
    }

    /// <summary>Starts waiting for the next token, unless already waiting; null when a wait is under way.</summary>
    /// <returns>A task that completes with whether a token was had (false once the limiter is disposed).</returns>
    public Task<bool>? WaitForToken()
    {
        if (_awaitingToken)
        {
            return null;
        }

        _awaitingToken = true;
        return WaitAsync(_limiter);

        static async Task<bool> WaitAsync(RateLimiter limiter)
        {
            using var lease = await limiter.AcquireAsync().ConfigureAwait(false);
            return lease.IsAcquired;
        }
    }

    /// <summary>The waited-for token arrived (or the wait ended without one).</summary>
    public void TokenArrived(bool acquired)
    {
        _awaitingToken = false;
        _holdsToken |= acquired;
    }

    public void Dispose() => _limiter.Dispose();
}
