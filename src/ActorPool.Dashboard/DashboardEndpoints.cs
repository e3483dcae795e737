using System.Globalization;
using System.Text.Json;
using ActorPool.Dashboard.Pages;
using ActorPool.Diagnostics;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ActorPool.Dashboard;

/// <summary>The dashboard's request handlers. Reads check <see cref="DashboardAccess.CanReadAsync"/>, actions <see cref="DashboardAccess.CanActAsync"/> and antiforgery.</summary>
internal sealed class DashboardEndpoints(PathString prefix)
{
    /// <summary>How many waiting or running tasks a page looks through at most.</summary>
    internal const int MaxPending = 10_000;

    /// <summary>How many recent results the per-node counts cover.</summary>
    private const int RecentForNodes = 1_000;

    /// <summary>How long a page waits for a clustered supervisor's answer.</summary>
    private static readonly TimeSpan SupervisorWait = TimeSpan.FromSeconds(5);

    /// <summary>Scripts, styles and forms from this origin only: a value that slipped past encoding still could not run.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public async Task OverviewAsync(HttpContext context)
    {
        if (await RefuseReadAsync(context))
        {
            return;
        }

        var page = Page(context);
        await WriteHtmlAsync(context, StatusCodes.Status200OK, OverviewPage.Render(page));
    }

    public static async Task StatsAsync(HttpContext context)
    {
        if (await RefuseReadAsync(context))
        {
            return;
        }

        var pools = Pools(context).All().Select(p => LiveStats.Of(p, p.Pool.GetStats())).ToList();
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(context.Response.Body, new LiveSnapshot(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), pools), LiveStats.Json, context.RequestAborted);
    }

    public static async Task AssetAsync(HttpContext context)
    {
        var asset = Assets.Find(context.GetRouteValue("file") as string);
        if (asset is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        // Assets hold no pool data, so they need no access check: the login page of a host may want them.
        context.Response.ContentType = asset.ContentType;
        context.Response.Headers.CacheControl = "public, max-age=300";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        await context.Response.Body.WriteAsync(asset.Content, context.RequestAborted);
    }

    public async Task PoolAsync(HttpContext context)
    {
        if (await RefuseReadAsync(context))
        {
            return;
        }

        var page = Page(context);
        if (FindPool(context, page) is not { } pool)
        {
            await NotFoundAsync(context, page, "No such pool", $"No pool is named '{context.GetRouteValue("pool")}'.");
            return;
        }

        var query = context.Request.Query;
        if (!TaskFilter.TryParse(query["outcome"], out var filter))
        {
            var names = string.Join(", ", TaskFilter.Choices.Select(c => c.Name));
            await WriteHtmlAsync(context, StatusCodes.Status400BadRequest, MessagePage.Render(page, "Unknown filter", $"outcome must be one of {names}; was: '{query["outcome"]}'.", page.PoolUrl(pool.Name), "all tasks"));
            return;
        }

        if (!int.TryParse(query["page"].FirstOrDefault() ?? "1", NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            await WriteHtmlAsync(context, StatusCodes.Status400BadRequest, MessagePage.Render(page, "Bad page number", $"page must be a whole number from 1; was: '{query["page"]}'.", page.PoolUrl(pool.Name), "first page"));
            return;
        }

        var size = Options(context).PageSize;
        var skip = (int)Math.Min((long)(number - 1) * size, int.MaxValue);
        var stats = pool.Pool.GetStats();
        var listing = new PoolPage.Listing(filter, number, size, 0, [], []);
        IReadOnlyList<TaskResult> recent = [];
        if (pool.Inspection is { } inspection)
        {
            if (filter.Pending)
            {
                var pending = await PendingAsync(context, inspection);
                if (pending is null)
                {
                    page = page with { Flash = "The pool did not list its waiting and running tasks in time; try again." };
                    pending = [];
                }

                var matching = pending.Where(t => t.Running == filter.Running).ToList();
                listing = listing with { Matched = matching.Count, Pending = [.. matching.Skip(skip).Take(size)] };
            }
            else
            {
                var results = inspection.GetResultPage(filter.Outcome, skip, size);
                listing = listing with { Matched = results.Matched, Finished = results.Results };
            }

            if (stats.WorkersByNode.Count > 0)
            {
                recent = inspection.GetResultPage(null, 0, RecentForNodes).Results;
            }
        }

        await WriteHtmlAsync(context, StatusCodes.Status200OK, PoolPage.Render(page, pool, stats, listing, recent));
    }

    public async Task TaskAsync(HttpContext context)
    {
        if (await RefuseReadAsync(context))
        {
            return;
        }

        var page = Page(context);
        await WriteTaskAsync(context, page, StatusCodes.Status200OK);
    }

    public async Task RetryAsync(HttpContext context)
    {
        if (await RefuseActionAsync(context))
        {
            return;
        }

        var page = Page(context);
        if (FindPool(context, page) is not { } pool || !TryTaskId(context, out var id))
        {
            await NotFoundAsync(context, page, "No such pool", $"No pool is named '{context.GetRouteValue("pool")}'.");
            return;
        }

        string message;
        try
        {
            var retry = await pool.Pool.RetryAsync(id, context.RequestAborted);
            Redirect(context, page.TaskUrl(pool.Name, retry));
            return;
        }
        catch (KeyNotFoundException ex)
        {
            message = ex.Message;
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or SubmitRejectedException)
        {
            message = ex.Message;
        }

        await WriteTaskAsync(context, page with { Flash = $"Retry refused: {message}" }, StatusCodes.Status409Conflict);
    }

    public async Task CancelAsync(HttpContext context)
    {
        if (await RefuseActionAsync(context))
        {
            return;
        }

        var page = Page(context);
        if (FindPool(context, page) is not { } pool || !TryTaskId(context, out var id))
        {
            await NotFoundAsync(context, page, "No such pool", $"No pool is named '{context.GetRouteValue("pool")}'.");
            return;
        }

        if (await pool.Pool.CancelAsync(id, context.RequestAborted))
        {
            Redirect(context, page.TaskUrl(pool.Name, id));
            return;
        }

        await WriteTaskAsync(context, page with { Flash = string.Create(CultureInfo.InvariantCulture, $"Task {id} was not cancelled: it is neither queued nor running.") }, StatusCodes.Status409Conflict);
    }

    public async Task ResizeAsync(HttpContext context)
    {
        if (await RefuseActionAsync(context))
        {
            return;
        }

        var page = Page(context);
        if (FindPool(context, page) is not { } pool)
        {
            await NotFoundAsync(context, page, "No such pool", $"No pool is named '{context.GetRouteValue("pool")}'.");
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var value = form["workers"].FirstOrDefault();
        string message;
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var workers))
        {
            message = $"workers must be a whole number; was: '{value}'.";
        }
        else
        {
            try
            {
                pool.Pool.Resize(workers);
                Redirect(context, page.PoolUrl(pool.Name));
                return;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NotSupportedException)
            {
                message = ex.Message;
            }
        }

        await WriteHtmlAsync(context, StatusCodes.Status400BadRequest, MessagePage.Render(page, "Resize refused", message, page.PoolUrl(pool.Name), pool.Name));
    }

    private static async Task WriteTaskAsync(HttpContext context, PageContext page, int status)
    {
        if (FindPool(context, page) is not { } pool)
        {
            await NotFoundAsync(context, page, "No such pool", $"No pool is named '{context.GetRouteValue("pool")}'.");
            return;
        }

        if (!TryTaskId(context, out var id) || pool.Inspection is not { } inspection)
        {
            await NotFoundAsync(context, page, "No such task", $"Pool '{pool.Name}' has no task '{context.GetRouteValue("id")}'.");
            return;
        }

        if (inspection.FindResult(id) is { } result)
        {
            await WriteHtmlAsync(context, status, TaskPage.Render(page, pool, result));
            return;
        }

        var pending = await PendingAsync(context, inspection);
        if (pending?.FirstOrDefault(t => t.Id == id) is { } task)
        {
            await WriteHtmlAsync(context, status, TaskPage.Render(page, pool, task));
            return;
        }

        // A task can finish between the two reads.
        if (inspection.FindResult(id) is { } finished)
        {
            await WriteHtmlAsync(context, status, TaskPage.Render(page, pool, finished));
            return;
        }

        var why = pending is null ? " (its waiting and running tasks could not be listed in time)" : string.Empty;
        await NotFoundAsync(context, page with { Flash = page.Flash }, "No such task", string.Create(CultureInfo.InvariantCulture, $"Pool '{pool.Name}' holds nothing on task {id}: it never existed, or its result was evicted{why}."));
    }

    private static async Task<IReadOnlyList<PendingTask>?> PendingAsync(HttpContext context, IPoolInspection inspection)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        wait.CancelAfter(SupervisorWait);
        try
        {
            return await inspection.GetPendingAsync(MaxPending, wait.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or Akka.Actor.AskTimeoutException && !context.RequestAborted.IsCancellationRequested)
        {
            return null;
        }
    }

    private static async Task<bool> RefuseReadAsync(HttpContext context)
    {
        if (await DashboardAccess.CanReadAsync(context))
        {
            return false;
        }

        await ForbidAsync(context, DashboardAccess.ActionsEnabled(context)
            ? "The dashboard's authorization policy refused this request."
            : "The dashboard answers only requests from this machine unless an authorization policy is configured.");
        return true;
    }

    private static async Task<bool> RefuseActionAsync(HttpContext context)
    {
        if (!await DashboardAccess.CanActAsync(context))
        {
            await ForbidAsync(context, DashboardAccess.ActionsEnabled(context)
                ? "The dashboard's authorization policy refused this request."
                : "The dashboard is read-only: set ActorPoolDashboardOptions.AuthorizationPolicy to enable actions.");
            return true;
        }

        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            await ForbidAsync(context, "The form's antiforgery token is missing or invalid; reload the page and try again.");
            return true;
        }

        return false;
    }

    private static async Task ForbidAsync(HttpContext context, string why)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync($"403 Forbidden: {why}\n", context.RequestAborted);
    }

    private static Task NotFoundAsync(HttpContext context, PageContext page, string title, string message) =>
        WriteHtmlAsync(context, StatusCodes.Status404NotFound, MessagePage.Render(page, title, message, $"{page.Base}/", "all pools"));

    private static void Redirect(HttpContext context, string url)
    {
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = url;
    }

    private static async Task WriteHtmlAsync(HttpContext context, int status, string html)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        await context.Response.WriteAsync(html, context.RequestAborted);
    }

    private PageContext Page(HttpContext context)
    {
        var actions = DashboardAccess.ActionsEnabled(context);
        var (field, token) = (string.Empty, string.Empty);
        if (actions)
        {
            var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
            (field, token) = (tokens.FormFieldName, tokens.RequestToken ?? string.Empty);
        }

        var root = (context.Request.PathBase + prefix).Value ?? string.Empty;
        return new PageContext(root, Pools(context).All(), actions, field, token);
    }

    private static DashboardPool? FindPool(HttpContext context, PageContext page) =>
        context.GetRouteValue("pool") is string name ? page.Pools.FirstOrDefault(p => p.Name == name) : null;

    private static bool TryTaskId(HttpContext context, out long id) =>
        long.TryParse(context.GetRouteValue("id") as string, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    private static DashboardPools Pools(HttpContext context) => context.RequestServices.GetRequiredService<DashboardPools>();

    private static ActorPoolDashboardOptions Options(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<ActorPoolDashboardOptions>>().Value;
}
