using System.Globalization;
using System.Text.Json;
using ActorPool.Diagnostics;

namespace ActorPool.Dashboard.Pages;

/// <summary>Everything recorded about one task, and the actions that apply to it.</summary>
internal static class TaskPage
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Render(PageContext page, DashboardPool pool, TaskResult result)
    {
        var html = new Html();
        Heading(html, result.TaskId, Html.Outcome(result.Outcome));
        html.Raw("<dl class=\"task\" id=\"task\">");
        Field(html, "pool", pool.Name);
        Field(html, "handler", result.Handler ?? "(closure)");
        Field(html, "key", result.Key);
        Field(html, "outcome", Html.Outcome(result.Outcome));
        Field(html, "attempts", result.Attempts);
        Field(html, "queue wait", Html.Duration(result.QueueWait));
        Field(html, "run time", Html.Duration(result.Duration));
        Field(html, "started", result.StartedAt.ToString("u", CultureInfo.InvariantCulture));
        Field(html, "node", result.Node);
        if (result.RetryOf is { } retried)
        {
            html.Raw("<dt>retries</dt><dd><a id=\"retry-of\" href=\"").Text(page.TaskUrl(pool.Name, retried)).Raw("\">").Text(retried).Raw("</a></dd>");
        }

        html.Raw("</dl>");
        Payload(html, result.Handler, result.Payload);
        if (result.Error is not null)
        {
            html.Raw("<h2>Error</h2><p class=\"error\" id=\"error-line\">").Text(PoolPage.ErrorLine(result.Error)).Raw("</p>");
            html.Raw("<pre id=\"error\">").Text(result.Error.ToString()).Raw("</pre>");
        }

        if (page.ActionsEnabled && result.Outcome != TaskOutcome.Succeeded)
        {
            if (result.Handler is null)
            {
                html.Raw("<p class=\"note\" id=\"no-retry\">A closure cannot be retried: the pool keeps no delegate to run again. Submit it as a named task to retry it from here.</p>");
            }
            else
            {
                html.Form($"{page.TaskUrl(pool.Name, result.TaskId)}/retry", page.AntiforgeryField, page.AntiforgeryToken, string.Empty, "retry", "Retry");
            }
        }

        return Layout.Render(page, string.Create(CultureInfo.InvariantCulture, $"Task {result.TaskId}"), html);
    }

    public static string Render(PageContext page, DashboardPool pool, PendingTask task)
    {
        var html = new Html();
        var state = task.Running ? "running" : "queued";
        Heading(html, task.Id, state);
        html.Raw("<dl class=\"task\" id=\"task\">");
        Field(html, "pool", pool.Name);
        Field(html, "handler", task.Handler ?? "(closure)");
        Field(html, "key", task.Key);
        Field(html, "state", state);
        Field(html, "attempts", task.Attempts);
        Field(html, "node", task.Node);
        html.Raw("</dl>");
        if (page.ActionsEnabled)
        {
            html.Form($"{page.TaskUrl(pool.Name, task.Id)}/cancel", page.AntiforgeryField, page.AntiforgeryToken, string.Empty, "cancel", "Cancel");
        }

        return Layout.Render(page, string.Create(CultureInfo.InvariantCulture, $"Task {task.Id}"), html);
    }

    private static void Heading(Html html, long id, string state) =>
        html.Raw("<h1>Task ").Text(id).Raw(" <small id=\"state\" class=\"state outcome-").Text(state).Raw("\">").Text(state).Raw("</small></h1>");

    private static void Field(Html html, string name, object? value) =>
        html.Raw("<dt>").Text(name).Raw("</dt><dd data-field=\"").Text(name).Raw("\">").Text(value).Raw("</dd>");

    private static void Payload(Html html, string? handler, string? payload)
    {
        if (handler is null)
        {
            return;
        }

        html.Raw("<h2>Payload</h2><pre id=\"payload\">").Text(Pretty(payload)).Raw("</pre>");
    }

    /// <summary>The payload's JSON indented; as stored when it does not parse.</summary>
    private static string Pretty(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return "null";
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement, Indented);
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
