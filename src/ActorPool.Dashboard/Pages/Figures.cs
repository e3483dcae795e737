using System.Globalization;

namespace ActorPool.Dashboard.Pages;

/// <summary>A pool's figures as a table; each cell carries <c>data-figure</c> so the page's script can update it live.</summary>
internal static class Figures
{
    /// <summary>The figures the live poll updates, by their <c>data-figure</c> name.</summary>
    public static IReadOnlyList<(string Name, string Label, Func<PoolStats, string> Value)> Live { get; } =
    [
        ("workers", "workers", s => Format(s.Workers)),
        ("active", "busy", s => Format(s.ActiveWorkers)),
        ("queued", "queued", s => Format(s.Queued)),
        ("capacity", "queue capacity", s => Format(s.QueueCapacity)),
        ("submitted", "submitted", s => Format(s.Submitted)),
        ("succeeded", "succeeded", s => Format(s.Succeeded)),
        ("failed", "failed", s => Format(s.Failed)),
        ("timed-out", "timed out", s => Format(s.TimedOut)),
        ("cancelled", "cancelled", s => Format(s.Cancelled)),
        ("dropped", "dropped", s => Format(s.Dropped)),
        ("rejected", "rejected", s => Format(s.Rejected)),
        ("retried", "retried", s => Format(s.Retried)),
        ("circuit", "circuit breaker", Circuit),
        ("state", "state", s => s.IsStopped ? "stopped" : "running"),
        ("duration", "run time mean / p99", s => $"{Html.Duration(s.MeanDuration)} / {Html.Duration(s.P99Duration)}"),
    ];

    public static void Render(Html html, DashboardPool pool, PoolStats stats)
    {
        html.Raw("<table class=\"figures\" data-pool=\"").Text(pool.Name).Raw("\"><tbody>");
        html.Raw("<tr><th>mode</th><td data-figure=\"mode\">").Text(pool.Mode).Raw("</td></tr>");
        foreach (var (name, label, value) in Live)
        {
            html.Raw("<tr><th>").Text(label).Raw("</th><td data-figure=\"").Text(name).Raw("\">").Text(value(stats)).Raw("</td></tr>");
        }

        html.Raw("<tr><th>rate limit</th><td data-figure=\"rate-limit\">").Text(RateLimit(pool)).Raw("</td></tr>");
        html.Raw("</tbody></table>");
    }

    private static string Circuit(PoolStats stats) => stats.IsCircuitOpen ? "open" : "closed";

    private static string RateLimit(DashboardPool pool)
    {
        var options = pool.Inspection?.Options;
        return options?.TasksPerSecond is { } rate
            ? string.Create(CultureInfo.InvariantCulture, $"{rate:0.##}/s, burst {options.RateBurst}")
            : "none";
    }

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
