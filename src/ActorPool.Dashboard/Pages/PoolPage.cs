using System.Globalization;
using ActorPool.Diagnostics;

namespace ActorPool.Dashboard.Pages;

/// <summary>One pool: its figures, its nodes on a cluster, and its tasks, filtered and paged.</summary>
internal static class PoolPage
{
    /// <summary>The tasks to list, already filtered and paged by the caller.</summary>
    public sealed record Listing(TaskFilter Filter, int Page, int PageSize, int Matched, IReadOnlyList<TaskResult> Finished, IReadOnlyList<PendingTask> Pending);

    public static string Render(PageContext page, DashboardPool pool, PoolStats stats, Listing listing, IReadOnlyList<TaskResult> recent)
    {
        var html = new Html();
        html.Raw("<h1>").Text(pool.Name).Raw(" <small>").Text(pool.Mode).Raw("</small></h1><div class=\"row\">");
        Figures.Render(html, pool, stats);
        OverviewPage.Chart(html, pool.Name);
        html.Raw("</div>");

        Nodes(html, pool, stats, recent);
        Schedules(html, pool.Pool.Schedules.List());
        if (page.ActionsEnabled && !pool.Mode.StartsWith("cluster", StringComparison.Ordinal))
        {
            html.Raw("<h2>Resize</h2>");
            var field = string.Create(CultureInfo.InvariantCulture, $"<label>workers <input type=\"number\" name=\"workers\" id=\"workers\" min=\"1\" value=\"{stats.Workers}\"></label>");
            html.Form($"{page.PoolUrl(pool.Name)}/resize", page.AntiforgeryField, page.AntiforgeryToken, field, "resize", "Resize");
        }

        Tasks(html, page, pool, listing);
        return Layout.Render(page, pool.Name, html);
    }

    private static void Nodes(Html html, DashboardPool pool, PoolStats stats, IReadOnlyList<TaskResult> recent)
    {
        if (stats.WorkersByNode.Count == 0 && pool.Inspection?.SupervisorNode is null)
        {
            return;
        }

        var supervisor = pool.Inspection?.SupervisorNode;
        var ran = recent.Where(r => r.Node is not null).GroupBy(r => r.Node!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        html.Raw("<h2>Nodes</h2><table class=\"nodes\" id=\"nodes\"><thead><tr><th>node</th><th>workers</th>");
        html.Raw("<th>tasks run (of the last ").Text(recent.Count).Raw(")</th><th>role</th></tr></thead><tbody>");
        var nodes = stats.WorkersByNode.Keys.Union(ran.Keys, StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            html.Raw("<tr data-node=\"").Text(node).Raw("\"><td>").Text(node).Raw("</td><td>").Text(stats.WorkersByNode.GetValueOrDefault(node));
            html.Raw("</td><td>").Text(ran.GetValueOrDefault(node)).Raw("</td><td>").Text(node == supervisor ? "singleton supervisor" : string.Empty).Raw("</td></tr>");
        }

        html.Raw("</tbody></table>");
        if (supervisor is not null && !stats.WorkersByNode.ContainsKey(supervisor))
        {
            html.Raw("<p>Singleton supervisor on <span id=\"supervisor\">").Text(supervisor).Raw("</span>.</p>");
        }
    }

    private static void Schedules(Html html, IReadOnlyList<ScheduleInfo> schedules)
    {
        if (schedules.Count == 0)
        {
            return;
        }

        html.Raw("<h2>Schedules</h2><table class=\"schedules\" id=\"schedules\"><thead><tr><th>schedule</th><th>cron</th><th>time zone</th><th>handler</th>");
        html.Raw("<th>next run</th><th>last run</th><th>runs</th><th>late</th><th>skipped</th><th>now</th></tr></thead><tbody>");
        foreach (var schedule in schedules)
        {
            html.Raw("<tr data-schedule=\"").Text(schedule.Id).Raw("\"><td>").Text(schedule.Id).Raw("</td><td><code>").Text(schedule.Cron).Raw("</code></td><td>").Text(schedule.TimeZone);
            html.Raw("</td><td>").Text(schedule.Handler ?? "closure").Raw("</td><td>").Text(Time(schedule.NextRun)).Raw("</td><td>").Text(Time(schedule.LastRun));
            html.Raw("</td><td>").Text(schedule.Fires).Raw("</td><td>").Text(schedule.LateFires).Raw("</td><td>").Text(schedule.SkippedFires);
            html.Raw("</td><td>").Text(schedule.Running ? "running" : string.Empty).Raw("</td></tr>");
        }

        html.Raw("</tbody></table>");

        static string Time(DateTimeOffset? at) => at is { } time ? time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";
    }

    private static void Tasks(Html html, PageContext page, DashboardPool pool, Listing listing)
    {
        html.Raw("<h2>Tasks</h2><nav class=\"filters\" id=\"filters\">");
        foreach (var choice in TaskFilter.Choices)
        {
            var current = choice.Name == listing.Filter.Name ? " aria-current=\"page\"" : string.Empty;
            html.Raw("<a data-filter=\"").Text(choice.Name).Raw("\"").Raw(current).Raw(" href=\"").Text(FilterUrl(page, pool, choice, 1)).Raw("\">").Text(choice.Name).Raw("</a>");
        }

        html.Raw("</nav>");
        if (pool.Inspection is null)
        {
            html.Raw("<p>This pool does not offer task inspection.</p>");
            return;
        }

        html.Raw("<table class=\"tasks\" id=\"tasks\"><thead><tr><th>id</th><th>handler</th><th>key</th><th>state</th><th>attempts</th><th>queue wait</th><th>run time</th><th>node</th><th>error</th></tr></thead><tbody>");
        foreach (var task in listing.Pending)
        {
            html.Raw("<tr data-task-id=\"").Text(task.Id).Raw("\"><td><a href=\"").Text(page.TaskUrl(pool.Name, task.Id)).Raw("\">").Text(task.Id).Raw("</a></td>");
            html.Raw("<td>").Text(task.Handler ?? "(closure)").Raw("</td><td>").Text(task.Key).Raw("</td><td class=\"state\">").Text(task.Running ? "running" : "queued");
            html.Raw("</td><td>").Text(task.Attempts).Raw("</td><td></td><td></td><td>").Text(task.Node).Raw("</td><td></td></tr>");
        }

        foreach (var result in listing.Finished)
        {
            html.Raw("<tr data-task-id=\"").Text(result.TaskId).Raw("\"><td><a href=\"").Text(page.TaskUrl(pool.Name, result.TaskId)).Raw("\">").Text(result.TaskId).Raw("</a></td>");
            html.Raw("<td>").Text(result.Handler ?? "(closure)").Raw("</td><td>").Text(result.Key).Raw("</td><td class=\"state outcome-").Text(Html.Outcome(result.Outcome)).Raw("\">").Text(Html.Outcome(result.Outcome));
            html.Raw("</td><td>").Text(result.Attempts).Raw("</td><td>").Text(Html.Duration(result.QueueWait)).Raw("</td><td>").Text(Html.Duration(result.Duration));
            html.Raw("</td><td>").Text(result.Node).Raw("</td><td class=\"error\">").Text(ErrorLine(result.Error)).Raw("</td></tr>");
        }

        html.Raw("</tbody></table>");
        if (listing.Pending.Count + listing.Finished.Count == 0)
        {
            html.Raw("<p id=\"no-tasks\">No tasks match.</p>");
        }

        var first = ((listing.Page - 1) * listing.PageSize) + 1;
        var shown = listing.Pending.Count + listing.Finished.Count;
        html.Raw("<p class=\"pager\" id=\"pager\">");
        if (shown > 0)
        {
            html.Text(string.Create(CultureInfo.InvariantCulture, $"{first}–{first + shown - 1} of {listing.Matched} "));
        }

        if (listing.Page > 1)
        {
            html.Raw("<a rel=\"prev\" href=\"").Text(FilterUrl(page, pool, listing.Filter, listing.Page - 1)).Raw("\">newer</a> ");
        }

        if (first + shown - 1 < listing.Matched)
        {
            html.Raw("<a rel=\"next\" href=\"").Text(FilterUrl(page, pool, listing.Filter, listing.Page + 1)).Raw("\">older</a>");
        }

        html.Raw("</p>");
    }

    /// <summary>The error as one line: its type and message, cut short.</summary>
    public static string ErrorLine(Exception? error)
    {
        if (error is null)
        {
            return string.Empty;
        }

        var type = error is RemoteTaskException remote ? remote.ExceptionType : error.GetType().Name;
        var line = $"{type}: {error.Message}";
        return line.Length <= 200 ? line : string.Concat(line.AsSpan(0, 199), "…");
    }

    private static string FilterUrl(PageContext page, DashboardPool pool, TaskFilter filter, int number)
    {
        var query = filter.Name == TaskFilter.All.Name ? string.Empty : $"outcome={filter.Name}";
        if (number > 1)
        {
            query += (query.Length == 0 ? string.Empty : "&") + string.Create(CultureInfo.InvariantCulture, $"page={number}");
        }

        return query.Length == 0 ? page.PoolUrl(pool.Name) : $"{page.PoolUrl(pool.Name)}?{query}";
    }
}
