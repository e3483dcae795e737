namespace ActorPool.Dashboard.Pages;

/// <summary>Every pool at a glance: its figures and a live chart of tasks per second and queue depth.</summary>
internal static class OverviewPage
{
    public static string Render(PageContext page)
    {
        var html = new Html();
        html.Raw("<h1>Pools</h1>");
        if (page.Pools.Count == 0)
        {
            html.Raw("<p id=\"no-pools\">No pools: register one with services.AddActorPool(name) or ActorPoolDashboardOptions.AddPool.</p>");
        }

        foreach (var pool in page.Pools)
        {
            html.Raw("<section class=\"pool\"><h2><a href=\"").Text(page.PoolUrl(pool.Name)).Raw("\">").Text(pool.Name).Raw("</a></h2><div class=\"row\">");
            Figures.Render(html, pool, pool.Pool.GetStats());
            Chart(html, pool.Name);
            html.Raw("</div></section>");
        }

        return Layout.Render(page, "Pools", html);
    }

    /// <summary>An empty chart the page's script fills from the live poll; the server keeps no history, so it costs nothing while closed.</summary>
    public static void Chart(Html html, string pool)
    {
        html.Raw("<figure class=\"chart\"><svg data-chart=\"").Text(pool).Raw("\" viewBox=\"0 0 600 160\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"tasks per second and queue depth\">");
        html.Raw("<polyline class=\"rate\" points=\"\"></polyline><polyline class=\"queue\" points=\"\"></polyline></svg>");
        html.Raw("<figcaption><span class=\"rate\">tasks/s <b data-live=\"rate\">–</b></span> <span class=\"queue\">queued <b data-live=\"queue\">–</b></span> <span class=\"span\">last 5 minutes</span></figcaption></figure>");
    }
}
