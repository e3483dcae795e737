using System.Threading.RateLimiting;

namespace ActorPool.Cli.Download;

/// <summary>A byte budget shared by every download: a token bucket where one token is one byte.</summary>
/// <remarks>
/// The bucket refills from elapsed time (not a fixed amount per timer tick), so timer jitter on a
/// busy machine neither loses nor adds bytes. The burst is kept to 50 ms of traffic: a bucket
/// that sat full refills once more from its stale timestamp when drained, so after idle time
/// up to two bursts pass at once, and a small burst keeps that within a few percent.
/// </remarks>
internal sealed class BandwidthLimiter : IDisposable
{
    private static readonly TimeSpan RefillEvery = TimeSpan.FromMilliseconds(10);
    private readonly TokenBucketRateLimiter _bucket;
    private readonly ITimer _refill;

    /// <summary>Creates a limiter for <paramref name="bytesPerSecond"/> across all callers.</summary>
    public BandwidthLimiter(long bytesPerSecond, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bytesPerSecond, 0);
        BytesPerSecond = bytesPerSecond;

        // 50 ms of burst: five refills of room, so a late timer tick loses nothing.
        var burst = (int)Math.Clamp(bytesPerSecond / 20, 1, int.MaxValue);
        var perPeriod = (int)Math.Clamp(bytesPerSecond * RefillEvery.TotalSeconds, 1, burst);
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(perPeriod / (double)bytesPerSecond),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = false,
        });
        using (_bucket.AttemptAcquire(burst))
        {
            // Start empty: the first second carries no free burst.
        }

        MaxChunk = Math.Min(burst, 64 * 1024);
        _refill = timeProvider.CreateTimer(static state => ((TokenBucketRateLimiter)state!).TryReplenish(), _bucket, RefillEvery, RefillEvery);
    }

    /// <summary>The configured rate.</summary>
    public long BytesPerSecond { get; }

    /// <summary>The most bytes one <see cref="WaitAsync"/> may ask for.</summary>
    public int MaxChunk { get; }

    /// <summary>Waits until <paramref name="bytes"/> more bytes may pass.</summary>
    public async ValueTask WaitAsync(int bytes, CancellationToken cancellationToken)
    {
        using var lease = await _bucket.AcquireAsync(Math.Min(bytes, MaxChunk), cancellationToken);
        if (!lease.IsAcquired)
        {
            throw new InvalidOperationException($"the bandwidth limiter refused {bytes} bytes");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _refill.Dispose();
        _bucket.Dispose();
    }
}
