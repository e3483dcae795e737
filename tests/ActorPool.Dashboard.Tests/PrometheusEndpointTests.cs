using System.Globalization;
using System.Net;

namespace ActorPool.Dashboard.Tests;

/// <summary>/metrics scraped over HTTP and parsed: every series README documents is there with the pool's label.</summary>
public sealed class PrometheusEndpointTests
{
    /// <summary>README's table, seed name → ours; the exporter adds _total to counters and _bucket/_sum/_count to the histogram.</summary>
    private static readonly string[] Documented =
    [
        "actorpool_queue_depth",
        "actorpool_workers",
        "actorpool_workers_active",
        "actorpool_tasks_submitted_total",
        "actorpool_tasks_rejected_total",
        "actorpool_tasks_retried_total",
        "actorpool_tasks_completed_total",
        "actorpool_tasks_failed_total",
        "actorpool_tasks_dropped_total",
        "actorpool_tasks_deduplicated_total",
        "actorpool_tasks_waiting_for_key",
        "actorpool_tasks_delayed",
        "actorpool_workers_restarts_total",
        "actorpool_task_duration_seconds_bucket",
        "actorpool_task_duration_seconds_sum",
        "actorpool_task_duration_seconds_count",
    ];

    [Fact]
    public async Task Every_documented_series_must_be_scraped_with_the_pools_label()
    {
        // Tests run side by side and the meter is process-wide: this pool's name is its own.
        const string Name = "metered";
        await using var host = await DashboardHost.StartAsync(poolName: Name);
        await host.Pool.RunAsync<object?>(HostedTasks.Work, 0);
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.Pool.RunAsync<object?>(HostedTasks.Fail, "x"));

        var series = (await ScrapeAsync(host)).Where(s => s.Labels.Contains($"actorpool_pool=\"{Name}\"", StringComparison.Ordinal)).ToList();

        var missing = Documented.Where(name => !series.Any(s => s.Name == name)).ToList();
        Assert.True(missing.Count == 0, $"missing: {string.Join(", ", missing)}; scraped: {string.Join(", ", series.Select(s => s.Name).Distinct())}");
        Assert.Equal(1, series.Single(s => s.Name == "actorpool_tasks_completed_total" && s.Labels.Contains("actorpool_outcome=\"succeeded\"", StringComparison.Ordinal)).Value);
        Assert.Equal(1, series.Single(s => s.Name == "actorpool_tasks_failed_total").Value);
        Assert.Equal(2, series.Single(s => s.Name == "actorpool_task_duration_seconds_count").Value);
        Assert.Equal(2, series.Single(s => s.Name == "actorpool_workers").Value);
    }

    private static async Task<List<(string Name, string Labels, double Value)>> ScrapeAsync(DashboardHost host)
    {
        using var http = new HttpClient { BaseAddress = host.Address, Timeout = TestSignals.Patience };
        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync();

        // The text format: "name{label="v",...} value [timestamp]"; comments start with #.
        var series = new List<(string, string, double)>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var close = line.LastIndexOf('}');
            var name = brace < 0 ? line[..line.IndexOf(' ', StringComparison.Ordinal)] : line[..brace];
            var labels = brace < 0 ? string.Empty : line[(brace + 1)..close];
            var rest = (brace < 0 ? line[name.Length..] : line[(close + 1)..]).Trim().Split(' ');
            series.Add((name, labels, double.Parse(rest[0], CultureInfo.InvariantCulture)));
        }

        return series;
    }
}
