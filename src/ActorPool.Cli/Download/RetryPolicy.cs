using System.Net;
using System.Net.Http.Headers;

namespace ActorPool.Cli.Download;

/// <summary>When a failed HTTP attempt is worth repeating, and how long to wait first.</summary>
/// <param name="MaxAttempts">Attempts per file, the first included (1 = no retries).</param>
/// <param name="BaseDelay">The wait after the first failure; it doubles after each further one.</param>
/// <param name="MaxDelay">The longest computed wait; a server's Retry-After is honoured even when longer.</param>
internal sealed record RetryPolicy(int MaxAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    /// <summary>Three attempts, 250 ms then 500 ms apart, at most 10 s.</summary>
    public static RetryPolicy Default { get; } = new(3, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));

    /// <summary>Server errors, 408 and 429 may pass; 404 and other client errors will not.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    /// <summary>The wait before attempt <paramref name="failedAttempt"/> + 1.</summary>
    /// <param name="failedAttempt">The 1-based attempt that just failed.</param>
    /// <param name="retryAfter">The server's Retry-After, which wins when present.</param>
    public TimeSpan DelayAfter(int failedAttempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } serverSays)
        {
            return serverSays < TimeSpan.Zero ? TimeSpan.Zero : serverSays;
        }

        var exponential = BaseDelay * Math.Pow(2, Math.Min(failedAttempt - 1, 30));
        return exponential < MaxDelay ? exponential : MaxDelay;
    }

    /// <summary>Reads Retry-After as seconds or as an HTTP date relative to <paramref name="now"/>.</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now) =>
        header switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => null,
        };
}
