namespace ActorPool.Cli.Download;

/// <summary>
/// A host's request rate under additive increase, multiplicative decrease: halved when the host
/// says it is overloaded (429, 503, Retry-After), raised a step per success until it is back at
/// the ceiling, where throttling ends. Plain arithmetic, no clock, so each rule is a plain test.
/// </summary>
/// <param name="ceiling">The user's <c>--request-rate</c> in requests per second; 0 = unlimited.</param>
internal sealed class AimdRate(double ceiling)
{
    /// <summary>Below this a host is still asked twice a second: slower only stretches the run.</summary>
    public const double MinRate = 0.5;

    /// <summary>Successes needed to climb from half the ceiling back to it.</summary>
    private const int StepsBack = 10;

    private double _top;

    /// <summary>Requests per second while throttled; null when not throttled (the ceiling, or unlimited, applies).</summary>
    public double? Limit { get; private set; }

    /// <summary>The host is overloaded: halve the rate.</summary>
    /// <param name="observedRate">Requests per second sent to the host over the last second; the starting point when there is no ceiling.</param>
    public void Decrease(double observedRate)
    {
        if (Limit is null)
        {
            // Without a ceiling, the rate that overloaded the host is where recovery stops.
            _top = ceiling > 0 ? ceiling : Math.Max(observedRate, 2 * MinRate);
        }

        Limit = Math.Max(MinRate, (Limit ?? _top) / 2);
    }

    /// <summary>A request succeeded: raise the rate by a step; at the top, stop throttling.</summary>
    public void Increase()
    {
        if (Limit is not { } limit)
        {
            return;
        }

        var next = limit + Math.Max(MinRate / 2, _top / (2 * StepsBack));
        Limit = next >= _top ? null : next;
    }
}
