using System.Collections.Concurrent;
using System.Globalization;

namespace ActorPool.Cli.Download;

/// <summary>
/// Paces the requests to one host: while the host is throttled (see <see cref="AimdRate"/>), its
/// requests start at most at the lowered rate, and none starts before a Retry-After it sent has
/// passed, whichever worker sends them. Thread-safe.
/// </summary>
internal sealed class HostThrottle(string host, double ceiling, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private readonly AimdRate _rate = new(ceiling);
    private readonly Queue<long> _recent = new();
    private long _nextAt;
    private long _pausedUntil;

    /// <summary>The host (authority) this throttle paces.</summary>
    public string Host { get; } = host;

    /// <summary>Requests per second while throttled; null when not throttled.</summary>
    public double? Limit
    {
        get
        {
            lock (_gate)
            {
                return _rate.Limit;
            }
        }
    }

    /// <summary>Waits for this host's next request slot.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_gate)
        {
            var now = time.GetTimestamp();
            var start = Math.Max(now, Math.Max(_nextAt, _pausedUntil));
            _nextAt = _rate.Limit is { } limit ? start + (long)(time.TimestampFrequency / limit) : start;
            _recent.Enqueue(start);
            while (_recent.Count > 0 && time.GetElapsedTime(_recent.Peek(), now) > Window)
            {
                _recent.Dequeue();
            }

            wait = time.GetElapsedTime(now, start);
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken);
        }
    }

    /// <summary>The host answered 429 or 503: halve its rate and hold every request until <paramref name="retryAfter"/> has passed.</summary>
    /// <returns>The new rate, for the notice.</returns>
    public double Throttled(TimeSpan? retryAfter)
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            var recent = _recent.Count(at => time.GetElapsedTime(at, now) <= Window);
            _rate.Decrease(recent / Window.TotalSeconds);
            if (retryAfter is { } pause && pause > TimeSpan.Zero)
            {
                _pausedUntil = Math.Max(_pausedUntil, now + (long)(pause.TotalSeconds * time.TimestampFrequency));
            }

            return _rate.Limit ?? ceiling;
        }
    }

    /// <summary>A request to the host succeeded: raise its rate a step.</summary>
    public void Succeeded()
    {
        lock (_gate)
        {
            _rate.Increase();
        }
    }
}

/// <summary>One <see cref="HostThrottle"/> per host, created on first use.</summary>
internal sealed class HostThrottles(int requestsPerSecond, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, HostThrottle> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly int _ceiling = requestsPerSecond;
    private readonly TimeProvider _time = time;

    /// <summary>The throttle of <paramref name="url"/>'s host.</summary>
    public HostThrottle For(Uri url) => _hosts.GetOrAdd(url.Authority, static (host, self) => new HostThrottle(host, self._ceiling, self._time), this);

    /// <summary>The hosts throttled now, with their rate: what the dashboard warns about.</summary>
    public IReadOnlyList<(string Host, double Limit)> Throttled =>
        [.. _hosts.Values.Select(h => (h.Host, h.Limit)).Where(h => h.Limit is not null).Select(h => (h.Host, h.Limit!.Value))];

    /// <summary>The notice shown while a host is throttled.</summary>
    public static string Notice(string host, double limit) =>
        string.Create(CultureInfo.InvariantCulture, $"⚠ Rate limit reached. Throttling requests to {host} to {limit:0.#}/s...");
}
