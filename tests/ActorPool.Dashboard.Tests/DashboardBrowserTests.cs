using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace ActorPool.Dashboard.Tests;

/// <summary>The dashboard in a real browser, as an operator uses it: live figures, a failed task retried, a queued one cancelled, a refused request.</summary>
public sealed partial class DashboardBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    /// <summary>A browser on a loaded 2-core machine may take most of a minute to load a page: a generous bound, never a measure.</summary>
    private static readonly float Patience = (float)(3 * TestSignals.Patience.TotalMilliseconds);

    [Fact]
    public async Task The_overview_must_show_the_figures_change_live_while_tasks_run()
    {
        await using var host = await DashboardHost.StartAsync();
        var page = await NewPageAsync();
        await page.GotoAsync(host.Dashboard.ToString());
        var submitted = page.Locator("table.figures[data-pool=jobs] td[data-figure=submitted]");
        await Assertions.Expect(submitted).ToHaveTextAsync("0");

        for (var i = 0; i < 40; i++)
        {
            await host.Pool.SubmitAsync(HostedTasks.Work, 20);
        }

        // No reload: the page's own poll brings the new figures and draws the chart.
        await Assertions.Expect(submitted).ToHaveTextAsync("40", new() { Timeout = Patience });
        await Assertions.Expect(page.Locator("table.figures[data-pool=jobs] td[data-figure=succeeded]")).ToHaveTextAsync("40", new() { Timeout = Patience });
        await Assertions.Expect(page.Locator("svg[data-chart=jobs] polyline.rate")).ToHaveAttributeAsync("points", NonEmpty(), new() { Timeout = Patience });
        await ScreenshotAsync(page, "overview");
    }

    [Fact]
    public async Task An_operator_must_open_a_failed_task_press_retry_and_see_the_new_task_succeed()
    {
        await using var host = await DashboardHost.StartAsync();
        var failed = await host.Pool.SubmitAsync(HostedTasks.FailOnce, "report-42");
        await host.ResultAsync(failed);
        var page = await NewPageAsync();

        await page.GotoAsync($"{host.Dashboard}/pools/jobs?outcome=failed");
        await ScreenshotAsync(page, "pool-failed");
        await page.Locator($"tr[data-task-id=\"{failed}\"] a").ClickAsync();
        await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("first run of report-42 fails");
        await Assertions.Expect(page.Locator("#payload")).ToHaveTextAsync("\"report-42\"");
        await ScreenshotAsync(page, "task-failed");
        await page.Locator("#retry").ClickAsync();

        await page.WaitForURLAsync(NotTask(failed), new() { WaitUntil = WaitUntilState.Commit }); // the new task's id is in the URL; its page loads below
        var retry = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
        Assert.Equal(TaskOutcome.Succeeded, (await host.ResultAsync(retry)).Outcome);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("succeeded");
        await Assertions.Expect(page.Locator("#retry-of")).ToHaveTextAsync(failed.ToString(CultureInfo.InvariantCulture));
        await ScreenshotAsync(page, "task-retried");
    }

    [Fact]
    public async Task An_operator_must_cancel_a_queued_task_from_its_page()
    {
        await using var host = await DashboardHost.StartAsync(pool: o => o.Workers = 1);
        await host.Pool.SubmitAsync(HostedTasks.Hold, 0);
        var queued = await host.Pool.SubmitAsync(HostedTasks.Work, 0);
        var page = await NewPageAsync();

        await page.GotoAsync($"{host.Dashboard}/pools/jobs?outcome=queued");
        await page.Locator($"tr[data-task-id=\"{queued}\"] a").ClickAsync();
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("queued");
        await ScreenshotAsync(page, "task-queued");
        await page.Locator("#cancel").ClickAsync();

        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("cancelled", new() { Timeout = Patience });
        var result = await host.ResultAsync(queued);
        Assert.Equal(TaskOutcome.Cancelled, result.Outcome);
        Assert.Equal(0, result.Attempts);
        await ScreenshotAsync(page, "task-cancelled");
    }

    [Fact]
    public async Task Markup_in_an_exception_message_must_show_as_text_and_never_run()
    {
        const string Markup = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">";
        await using var host = await DashboardHost.StartAsync();
        var id = await host.Pool.SubmitAsync(HostedTasks.Fail, Markup);
        await host.ResultAsync(id);
        var page = await NewPageAsync();

        await page.GotoAsync($"{host.Dashboard}/pools/jobs/tasks/{id}");

        await Assertions.Expect(page.Locator("#error-line")).ToHaveTextAsync($"InvalidOperationException: {Markup}");
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.pwned === undefined"));
        await ScreenshotAsync(page, "task-markup");
    }

    [Fact]
    public async Task A_request_the_policy_refuses_must_get_403_not_a_page()
    {
        await using var host = await DashboardHost.StartAsync(policy: DashboardHost.ClosedPolicy);
        var page = await NewPageAsync();

        var response = await page.GotoAsync(host.Dashboard.ToString());

        Assert.NotNull(response);
        Assert.Equal(403, response.Status);
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("403 Forbidden");
        Assert.Equal(0, await page.Locator("table").CountAsync());
        await ScreenshotAsync(page, "forbidden");
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(Patience);
        return await context.NewPageAsync();
    }

    private async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(browser.Screenshots, $"{name}.png"), FullPage = true });

    private static Regex NotTask(long id) => new($"/tasks/(?!{id}$)\\d+$");

    [GeneratedRegex(@"\d")]
    private static partial Regex NonEmpty();
}
