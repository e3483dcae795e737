namespace ActorPool.Dashboard.Pages;

/// <summary>The frame every page shares: head, assets, a bar with the pools, a read-only note.</summary>
internal static class Layout
{
    public static string Render(PageContext page, string title, Html body)
    {
        var html = new Html();
        html.Raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Raw("<title>").Text(title).Raw(" · ActorPool</title>");
        html.Raw("<link rel=\"stylesheet\" href=\"").Text(page.Base).Raw("/assets/dashboard.css\">");
        html.Raw("<script src=\"").Text(page.Base).Raw("/assets/dashboard.js\" defer></script></head>");
        html.Raw("<body data-base=\"").Text(page.Base).Raw("\"><header><a class=\"brand\" href=\"").Text(page.Base).Raw("/\">ActorPool</a><nav>");
        foreach (var pool in page.Pools)
        {
            html.Raw("<a href=\"").Text(page.PoolUrl(pool.Name)).Raw("\">").Text(pool.Name).Raw("</a>");
        }

        html.Raw("</nav>");
        if (!page.ActionsEnabled)
        {
            html.Raw("<span class=\"note\" id=\"read-only\">read-only: set ActorPoolDashboardOptions.AuthorizationPolicy to enable actions</span>");
        }

        html.Raw("</header><main>");
        if (page.Flash is not null)
        {
            html.Raw("<p class=\"flash\" id=\"flash\" role=\"alert\">").Text(page.Flash).Raw("</p>");
        }

        html.Raw(body.ToString());
        html.Raw("</main></body></html>");
        return html.ToString();
    }
}

/// <summary>What every page needs to know about the request: where the dashboard lives, the pools, whether actions are on.</summary>
internal sealed record PageContext(string Base, IReadOnlyList<DashboardPool> Pools, bool ActionsEnabled, string AntiforgeryField, string AntiforgeryToken)
{
    /// <summary>A message to show above the page, such as why an action was refused.</summary>
    public string? Flash { get; init; }

    public string PoolUrl(string pool) => $"{Base}/pools/{Uri.EscapeDataString(pool)}";

    public string TaskUrl(string pool, long id) => $"{PoolUrl(pool)}/tasks/{id}";
}
