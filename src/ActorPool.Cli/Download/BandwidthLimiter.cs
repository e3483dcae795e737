using System.Diagnostics;
using System.Threading.RateLimiting;

namespace ActorPool.Cli.Download;

/// <summary>A byte budget shared by every download: a token bucket where one token is one byte.</summary>
/// <remarks>
/// The bucket refills from elapsed time (not a fixed amount per tick), and holds a quarter
/// second of bytes so a timer tick or a consumer that comes late on a busy machine loses
/// nothing. When nobody has asked for bytes for that long, the bucket is emptied, so idle time
/// never turns into a burst above the limit (and <see cref="TokenBucketRateLimiter"/>, which skips refilling while full without
/// moving its timestamp, never refills from a stale one).
/// </remarks>
internal sealed class BandwidthLimiter : IDisposable
{
    private static readonly TimeSpan RefillEvery = TimeSpan.FromMilliseconds(10);

    /// <summary>As long as the bucket's burst: quieter than this, and the downloads are idle, not just late.</summary>
    private static readonly TimeSpan IdleAfter = TimeSpan.FromMilliseconds(250);
    private readonly TokenBucketRateLimiter _bucket;
    private readonly ITimer _refill;
    private readonly int _burst;
    private long _lastUse;

    /// <summary>Creates a limiter for <paramref name="bytesPerSecond"/> across all callers.</summary>
    public BandwidthLimiter(long bytesPerSecond, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bytesPerSecond, 0);
        BytesPerSecond = bytesPerSecond;
        _burst = (int)Math.Clamp(bytesPerSecond / 4, 1, int.MaxValue);
        var perPeriod = (int)Math.Clamp(bytesPerSecond * RefillEvery.TotalSeconds, 1, _burst);
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = _burst,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(perPeriod / (double)bytesPerSecond),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = false,
        });
        EmptyIfIdle();
        MaxChunk = Math.Min(_burst, 64 * 1024);
        _refill = timeProvider.CreateTimer(static state => ((BandwidthLimiter)state!).Refill(), this, RefillEvery, RefillEvery);
    }

    /// <summary>The configured rate.</summary>
    public long BytesPerSecond { get; }

    /// <summary>The most bytes one <see cref="WaitAsync"/> may ask for.</summary>
    public int MaxChunk { get; }

    /// <summary>Waits until <paramref name="bytes"/> more bytes may pass.</summary>
    public async ValueTask WaitAsync(int bytes, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _lastUse, Stopwatch.GetTimestamp());
        using var lease = await _bucket.AcquireAsync(Math.Min(bytes, MaxChunk), cancellationToken);
        if (!lease.IsAcquired)
        {
            throw new InvalidOperationException($"the bandwidth limiter refused {bytes} bytes");
        }
    }

    private void Refill()
    {
        _bucket.TryReplenish();
        EmptyIfIdle();
    }

    private void EmptyIfIdle()
    {
        var lastUse = Volatile.Read(ref _lastUse);
        var stats = _bucket.GetStatistics();
        if (stats is { CurrentQueuedCount: 0, CurrentAvailablePermits: > 0 }
            && (lastUse == 0 || Stopwatch.GetElapsedTime(lastUse) > IdleAfter))
        {
            using (_bucket.AttemptAcquire((int)stats.CurrentAvailablePermits))
            {
                // Discarded: nobody wanted these bytes when they were due.
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _refill.Dispose();
        _bucket.Dispose();
    }
}
