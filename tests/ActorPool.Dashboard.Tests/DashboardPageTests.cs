using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace ActorPool.Dashboard.Tests;

/// <summary>The dashboard over plain HTTP: what each page lists, what each action does, what is refused and how.</summary>
public sealed class DashboardPageTests
{
    private const string Pool = $"/actorpool/pools/{DashboardHost.PoolName}";

    [Fact]
    public async Task The_overview_must_show_each_pool_with_its_mode_and_figures()
    {
        await using var host = await DashboardHost.StartAsync();
        using var client = new DashboardClient(host);
        for (var i = 0; i < 3; i++)
        {
            await host.Pool.RunAsync<object?>(HostedTasks.Work, 0);
        }

        var (status, html) = await client.GetAsync("/actorpool");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"data-pool=\"{DashboardHost.PoolName}\"", html, StringComparison.Ordinal);
        Assert.Contains("<td data-figure=\"mode\">local</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td data-figure=\"submitted\">3</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td data-figure=\"succeeded\">3</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td data-figure=\"workers\">2</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td data-figure=\"capacity\">1000</td>", html, StringComparison.Ordinal);
        Assert.Contains("svg data-chart=\"jobs\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_pool_page_must_list_its_schedules_with_next_and_last_run_and_their_runs()
    {
        await using var host = await DashboardHost.StartAsync();
        using var client = new DashboardClient(host);
        host.Pool.Schedules.AddOrUpdate("nightly", "0 2 * * *", HostedTasks.Work, 0, new ScheduleOptions { TimeZone = "Europe/Berlin" });
        var id = await host.Pool.Schedules.TriggerNow("nightly");
        await host.Pool.WaitAsync();

        var (status, html) = await client.GetAsync(Pool);

        Assert.Equal(HttpStatusCode.OK, status);
        var row = html[html.IndexOf("<tr data-schedule=\"nightly\">", StringComparison.Ordinal)..];
        row = row[..row.IndexOf("</tr>", StringComparison.Ordinal)];
        var next = host.Pool.Schedules.List()[0].NextRun!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("<code>0 2 * * *</code></td><td>Europe/Berlin</td><td>work</td><td>" + next, row, StringComparison.Ordinal);
        Assert.Contains("<td>1</td><td>0</td><td>0</td>", row, StringComparison.Ordinal); // TriggerNow's run, none late or skipped
        Assert.Equal(TaskOutcome.Succeeded, host.Pool.GetResults()[id].Outcome);
    }

    [Fact]
    public async Task The_live_figures_must_be_the_pools_own_counts()
    {
        await using var host = await DashboardHost.StartAsync();
        using var client = new DashboardClient(host);
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.Pool.RunAsync<object?>(HostedTasks.Fail, "no"));
        await host.Pool.RunAsync<object?>(HostedTasks.Work, 0);

        var (status, json) = await client.GetAsync("/actorpool/api/stats");

        Assert.Equal(HttpStatusCode.OK, status);
        using var document = JsonDocument.Parse(json);
        var pool = Assert.Single(document.RootElement.GetProperty("pools").EnumerateArray());
        Assert.Equal(DashboardHost.PoolName, pool.GetProperty("name").GetString());
        Assert.Equal(2, pool.GetProperty("completed").GetInt64());
        var figures = pool.GetProperty("figures");
        Assert.Equal("2", figures.GetProperty("submitted").GetString());
        Assert.Equal("1", figures.GetProperty("failed").GetString());
        Assert.Equal("1", figures.GetProperty("succeeded").GetString());
    }

    [Fact]
    public async Task The_pool_page_must_list_failed_tasks_newest_first_and_page_through_all_of_them()
    {
        await using var host = await DashboardHost.StartAsync(pool: o => o.Workers = 1, dashboard: o => o.PageSize = 50);
        using var client = new DashboardClient(host);
        var ids = new List<long>();
        for (var i = 0; i < 120; i++)
        {
            ids.Add(await host.Pool.SubmitAsync(HostedTasks.Fail, $"boom {i}"));
        }

        await host.Pool.RunAsync<object?>(HostedTasks.Work, 0);
        await host.ResultAsync(ids[^1]);
        await TestSignals.EventuallyAsync(() => host.Pool.GetStats().Failed == 120, () => $"failed {host.Pool.GetStats().Failed}");

        var (firstStatus, first) = await client.GetAsync($"{Pool}?outcome=failed");
        var (_, second) = await client.GetAsync($"{Pool}?outcome=failed&page=2");
        var (_, third) = await client.GetAsync($"{Pool}?outcome=failed&page=3");
        var listed = new[] { first, second, third }.SelectMany(TaskIds).ToList();

        Assert.Equal(HttpStatusCode.OK, firstStatus);
        Assert.Equal(50, Rows(first));
        Assert.Equal(ids[^1], listed[0]); // one worker runs them in order, so newest first is highest id first
        Assert.Equal(ids[0], listed[^1]);
        Assert.Contains("1–50 of 120", first, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException: boom", first, StringComparison.Ordinal);
        Assert.Equal(20, Rows(third));
        Assert.Contains("101–120 of 120", third, StringComparison.Ordinal);
        Assert.Equal(ids.Order(), listed.Order()); // every failed task once, none twice, across the pages
        Assert.DoesNotContain("outcome-succeeded", third, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_named_task_page_must_show_its_payload_and_its_exception_with_the_stack_trace()
    {
        await using var host = await DashboardHost.StartAsync();
        using var client = new DashboardClient(host);
        var id = await host.Pool.SubmitAsync(HostedTasks.Fail, "disk full");
        await host.ResultAsync(id);

        var (status, html) = await client.GetAsync($"{Pool}/tasks/{id}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<pre id=\"payload\">&quot;disk full&quot;</pre>", html, StringComparison.Ordinal);
        Assert.Contains("<pre id=\"error\">System.InvalidOperationException: disk full", html, StringComparison.Ordinal);
        Assert.Contains(" at ", html[html.IndexOf("<pre id=\"error\">", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Contains("id=\"retry\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Markup_in_an_error_message_or_a_payload_must_reach_the_page_as_text()
    {
        const string Markup = "<script>alert('x')</script><img src=x onerror=alert(1)>";
        await using var host = await DashboardHost.StartAsync();
        using var client = new DashboardClient(host);
        var id = await host.Pool.SubmitAsync(HostedTasks.Fail, Markup, new TaskOptions { Id = Markup });
        await host.ResultAsync(id);

        var (_, task) = await client.GetAsync($"{Pool}/tasks/{id}");
        var (_, list) = await client.GetAsync($"{Pool}?outcome=failed");

        foreach (var html in new[] { task, list })
        {
            Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Retry_from_the_page_must_submit_the_task_again_under_a_new_id_that_succeeds()
    {
        await using var host = await DashboardHost.StartAsync();
        using var client = new DashboardClient(host);
        var id = await host.Pool.SubmitAsync(HostedTasks.FailOnce, "invoice-7");
        Assert.Equal(TaskOutcome.Failed, (await host.ResultAsync(id)).Outcome);

        using var response = await client.SubmitFormAsync($"{Pool}/tasks/{id}", $"{Pool}/tasks/{id}/retry");

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        var retry = long.Parse(location[(location.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
        Assert.NotEqual(id, retry);
        var result = await host.ResultAsync(retry);
        Assert.Equal(TaskOutcome.Succeeded, result.Outcome);
        Assert.Equal(id, result.RetryOf);
        var (_, page) = await client.GetAsync(location);
        Assert.Contains($"id=\"retry-of\" href=\"{Pool}/tasks/{id}\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closure_must_say_it_cannot_be_retried_and_a_retry_post_must_be_refused_with_the_reason()
    {
        await using var host = await DashboardHost.StartAsync();
        using var client = new DashboardClient(host);
        var id = await host.Pool.SubmitAsync(_ => throw new InvalidOperationException("closure failed"), CancellationToken.None);
        await host.ResultAsync(id);

        var (_, page) = await client.GetAsync($"{Pool}/tasks/{id}");
        using var response = await client.SubmitFormAsync(Pool, $"{Pool}/tasks/{id}/retry");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Contains("id=\"no-retry\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"retry\"", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Retry refused", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_from_the_page_must_record_a_queued_task_cancelled_without_running_it()
    {
        await using var host = await DashboardHost.StartAsync(pool: o => o.Workers = 1);
        using var client = new DashboardClient(host);
        var holding = await host.Pool.SubmitAsync(HostedTasks.Hold, 0);
        var queued = await host.Pool.SubmitAsync(HostedTasks.Work, 0);
        await TestSignals.EventuallyAsync(() => host.Pool.GetStats().ActiveWorkers == 1, () => "the hold task never started");

        var (_, before) = await client.GetAsync($"{Pool}?outcome=queued");
        using var response = await client.SubmitFormAsync($"{Pool}/tasks/{queued}", $"{Pool}/tasks/{queued}/cancel");
        host.Tasks.Release();

        Assert.Contains($"data-task-id=\"{queued}\"", before, StringComparison.Ordinal);
        Assert.DoesNotContain($"data-task-id=\"{holding}\"", before, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var result = await host.ResultAsync(queued);
        Assert.Equal(TaskOutcome.Cancelled, result.Outcome);
        Assert.Equal(0, result.Attempts);
        Assert.Equal(TaskOutcome.Succeeded, (await host.ResultAsync(holding)).Outcome);
    }

    [Fact]
    public async Task Resize_from_the_page_must_change_the_workers_and_an_invalid_count_must_be_refused_naming_it()
    {
        await using var host = await DashboardHost.StartAsync();
        using var client = new DashboardClient(host);

        using var resized = await client.SubmitFormAsync(Pool, $"{Pool}/resize", new Dictionary<string, string> { ["workers"] = "5" });
        using var refused = await client.SubmitFormAsync(Pool, $"{Pool}/resize", new Dictionary<string, string> { ["workers"] = "many" });

        Assert.Equal(HttpStatusCode.SeeOther, resized.StatusCode);
        await TestSignals.EventuallyAsync(() => host.Pool.GetStats().Workers == 5, () => $"workers {host.Pool.GetStats().Workers}");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("&#x27;many&#x27;", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_policy_the_dashboard_must_be_read_only_and_refuse_every_action_with_403()
    {
        await using var host = await DashboardHost.StartAsync(policy: null);
        using var client = new DashboardClient(host);
        var id = await host.Pool.SubmitAsync(HostedTasks.Fail, "x");
        await host.ResultAsync(id);

        var (status, page) = await client.GetAsync($"{Pool}/tasks/{id}");
        using var retry = await client.PostAsync($"{Pool}/tasks/{id}/retry", new Dictionary<string, string>());
        using var resize = await client.PostAsync($"{Pool}/resize", new Dictionary<string, string> { ["workers"] = "4" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("id=\"read-only\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<form", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, retry.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, resize.StatusCode);
        Assert.Equal(2, host.Pool.GetStats().Workers);
        Assert.Equal(1, host.Pool.GetStats().Submitted);
    }

    [Fact]
    public async Task A_request_the_policy_refuses_must_get_403_for_pages_and_actions()
    {
        await using var host = await DashboardHost.StartAsync(policy: DashboardHost.ClosedPolicy);
        using var client = new DashboardClient(host);

        var (overview, body) = await client.GetAsync("/actorpool");
        var (stats, _) = await client.GetAsync("/actorpool/api/stats");
        using var resize = await client.PostAsync($"{Pool}/resize", new Dictionary<string, string> { ["workers"] = "4" });

        Assert.Equal(HttpStatusCode.Forbidden, overview);
        Assert.StartsWith("403 Forbidden", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, stats);
        Assert.Equal(HttpStatusCode.Forbidden, resize.StatusCode);
    }

    [Fact]
    public async Task An_action_without_the_antiforgery_token_must_get_403_and_change_nothing()
    {
        await using var host = await DashboardHost.StartAsync();
        using var client = new DashboardClient(host);

        using var resize = await client.PostAsync($"{Pool}/resize", new Dictionary<string, string> { ["workers"] = "4" });

        Assert.Equal(HttpStatusCode.Forbidden, resize.StatusCode);
        Assert.Contains("antiforgery", await resize.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, host.Pool.GetStats().Workers);
    }

    [Fact]
    public async Task Unknown_pools_tasks_and_filters_must_get_a_page_that_names_them()
    {
        await using var host = await DashboardHost.StartAsync();
        using var client = new DashboardClient(host);

        var (pool, poolBody) = await client.GetAsync("/actorpool/pools/nope");
        var (task, taskBody) = await client.GetAsync($"{Pool}/tasks/999999");
        var (filter, filterBody) = await client.GetAsync($"{Pool}?outcome=exploded");
        var (page, pageBody) = await client.GetAsync($"{Pool}?page=0");

        Assert.Equal(HttpStatusCode.NotFound, pool);
        Assert.Contains("&#x27;nope&#x27;", poolBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, task);
        Assert.Contains("task 999999", taskBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, filter);
        Assert.Contains("&#x27;exploded&#x27;", filterBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, page);
        Assert.Contains("&#x27;0&#x27;", pageBody, StringComparison.Ordinal);
    }

    [Fact]
    public void Mapping_without_the_services_or_with_a_bad_prefix_must_fail_naming_the_fix()
    {
        var builder = WebApplication.CreateSlimBuilder();
        using var bare = builder.Build();
        var withServices = WebApplication.CreateSlimBuilder();
        withServices.Services.AddActorPoolDashboard();
        using var app = withServices.Build();

        var missing = Assert.Throws<InvalidOperationException>(() => bare.MapActorPoolDashboard());
        var prefix = Assert.Throws<ArgumentException>(() => app.MapActorPoolDashboard("actorpool/"));

        Assert.Contains("AddActorPoolDashboard", missing.Message, StringComparison.Ordinal);
        Assert.Contains("'actorpool/'", prefix.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_that_adds_only_the_dashboard_must_serve_it_without_registering_authorization_itself()
    {
        // The minimal setup README shows: no AddAuthorization, no policies, a pool added by hand.
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1 });
        pool.Start();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddActorPoolDashboard(o => o.AddPool("plain", pool));
        await using var app = builder.Build();
        app.MapActorPoolDashboard();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        using var overview = await http.GetAsync(new Uri("/actorpool", UriKind.Relative));
        using var stats = await http.GetAsync(new Uri("/actorpool/api/stats", UriKind.Relative));
        using var retry = await http.PostAsync(new Uri("/actorpool/pools/plain/tasks/1/retry", UriKind.Relative), null);
        await app.StopAsync();

        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        Assert.Contains("data-pool=\"plain\"", await overview.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, retry.StatusCode); // no policy: read-only
    }

    private static int Rows(string html) => html.Split("<tr data-task-id=").Length - 1;

    private static IEnumerable<long> TaskIds(string html) =>
        html.Split("<tr data-task-id=\"").Skip(1).Select(row => long.Parse(row[..row.IndexOf('"', StringComparison.Ordinal)], CultureInfo.InvariantCulture));
}
