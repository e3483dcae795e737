using System.Text.Json;

namespace ActorPool.Dashboard;

/// <summary>What <c>{prefix}/api/stats</c> returns: every pool's live figures, stamped with the server's clock.</summary>
/// <param name="At">When the figures were read, in Unix milliseconds.</param>
/// <param name="Pools">One entry per pool.</param>
internal sealed record LiveSnapshot(long At, IReadOnlyList<LiveStats> Pools);

/// <summary>One pool's live figures: the texts the page shows, by <c>data-figure</c>, and the two numbers the chart plots.</summary>
/// <param name="Name">The pool's name.</param>
/// <param name="Figures">Each live figure's text, as the page renders it.</param>
/// <param name="Completed">Tasks with an outcome so far; the chart plots its rate.</param>
/// <param name="Queued">Tasks waiting now.</param>
internal sealed record LiveStats(string Name, IReadOnlyDictionary<string, string> Figures, long Completed, int Queued)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static LiveStats Of(DashboardPool pool, PoolStats stats) => new(
        pool.Name,
        Pages.Figures.Live.ToDictionary(f => f.Name, f => f.Value(stats), StringComparer.Ordinal),
        stats.Succeeded + stats.Failed + stats.Cancelled + stats.TimedOut + stats.Dropped,
        stats.Queued);
}
