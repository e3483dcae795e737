using System.Diagnostics;
using System.Net;
using ActorPool.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace ActorPool.Benchmarks.Scenarios;

/// <summary>
/// Issue 18: the dashboard served by Kestrel on a loopback port in this process, beside the pool
/// it shows, and read over HTTP as a browser reads it. A page left open polls
/// <c>/api/stats</c> once a second, as <c>dashboard.js</c> does while the tab is visible.
/// </summary>
public sealed class DashboardScenario : IAsyncDisposable
{
    public const string NoDashboardName = "ActorPool RunAsync, no dashboard";
    public const string ClosedName = "ActorPool RunAsync, dashboard mapped, nobody reading it";
    public const string OpenName = "ActorPool RunAsync, a dashboard page open";
    public const string PagingName = "ActorPool.Dashboard, failed list of a durable pool";

    /// <summary>Failed tasks the paging row records, as issue 18 states it.</summary>
    public const int FailedTasks = 100_000;

    /// <summary>Page requests the paging row times.</summary>
    public const int PageRequests = 200;

    /// <summary>The dashboard's default page size.</summary>
    public const int PageSize = 50;

    private const string PoolName = "bench";
    private const string Fail = "fail";
    private static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(300);

    private readonly WebApplication _app;
    private readonly HttpClient _client;

    private DashboardScenario(WebApplication app)
    {
        _app = app;
        _client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    /// <summary>Serves the dashboard of <paramref name="pool"/> at <c>/actorpool</c> on a free loopback port.</summary>
    public static async Task<DashboardScenario> StartAsync(IWorkerPool pool)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddActorPoolDashboard(o => o.AddPool(PoolName, pool));
        var app = builder.Build();
        app.MapActorPoolDashboard();
        await app.StartAsync();
        return new DashboardScenario(app);
    }

    /// <summary>
    /// What a browser does while a page stays open: loads the overview and its first figures
    /// (returning once it has them), then polls the live figures until disposed.
    /// </summary>
    public async Task<IAsyncDisposable> OpenPageAsync()
    {
        await GetAsync("/actorpool");
        await GetAsync("/actorpool/api/stats");
        return new OpenPageLoop(this);
    }

    /// <summary>
    /// Records <see cref="FailedTasks"/> failed named tasks on a durable pool journaled in a SQLite
    /// file, then pages through its failed list: each page's time, and how far the process's
    /// working set and its heap after a full collection rose from before the first request.
    /// </summary>
    public static async Task<PagingResult> PageFailedListAsync()
    {
        var folder = Directory.CreateDirectory(Path.Combine(DurableScenario.Disk, $"actorpool-bench-dashboard-{Guid.NewGuid():N}")).FullName;
        try
        {
            var options = new WorkerPoolOptions { Workers = 8, QueueSize = 0, MaxRetainedResults = FailedTasks, ShutdownTimeout = TimeSpan.FromSeconds(5) };
            options.Persistence.Enabled = true;
            options.Persistence.ConnectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "failed.db") }.ToString();
            options.Handlers.Add<int>(Fail, static (n, _) => throw new InvalidOperationException($"order {n} was declined"));
            await using var pool = new WorkerPool(options);
            pool.Start();
            var payloads = new object?[FailedTasks];
            for (var i = 0; i < payloads.Length; i++)
            {
                payloads[i] = i;
            }

            await pool.SubmitManyAsync(Fail, payloads).WaitAsync(GiveUpAfter);
            await pool.WaitAsync().WaitAsync(GiveUpAfter);
            if (pool.GetStats().Failed != FailedTasks)
            {
                throw new InvalidOperationException($"Recorded {pool.GetStats().Failed} failed tasks, expected {FailedTasks}.");
            }

            await using var dashboard = await StartAsync(pool);
            var pages = (FailedTasks + PageSize - 1) / PageSize;
            await dashboard.GetAsync($"/actorpool/pools/{PoolName}?outcome=failed"); // warm-up: JIT, the first connection

            var heapBefore = await QuietHeapAsync();
            var workingSetBefore = WorkingSet();
            var peakWorkingSet = workingSetBefore;
            var random = new Random(18);
            var times = new List<double>(PageRequests);
            for (var i = 0; i < PageRequests; i++)
            {
                // The first and the last page, and pages anywhere between: an operator jumps about.
                var page = i switch
                {
                    0 => 1,
                    1 => pages,
                    _ => random.Next(1, pages + 1),
                };
                var clock = Stopwatch.StartNew();
                await dashboard.GetAsync($"/actorpool/pools/{PoolName}?outcome=failed&page={page}");
                times.Add(clock.Elapsed.TotalMilliseconds);
                peakWorkingSet = Math.Max(peakWorkingSet, WorkingSet());
            }

            times.Sort();
            return new PagingResult(
                times[(int)Math.Ceiling(times.Count * 0.95) - 1],
                times[times.Count / 2],
                (peakWorkingSet - workingSetBefore) / 1e6,
                (Heap.Settled() - heapBefore) / 1e6);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>
    /// The settled heap once the journal's housekeeping after the failures (snapshots of 100,000
    /// outcomes, deletes of the events they cover) has stopped moving it, so the growth measured
    /// afterwards is the dashboard's.
    /// </summary>
    private static async Task<long> QuietHeapAsync()
    {
        var clock = Stopwatch.StartNew();
        var last = Heap.Settled();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(500);
            var now = Heap.Settled();
            if (Math.Abs(now - last) < 1_000_000)
            {
                return now;
            }

            last = now;
        }

        return last;
    }

    private static long WorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>Reads a page whole, failing on anything but 200.</summary>
    private async Task GetAsync(string path)
    {
        using var response = await _client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        _ = await response.Content.ReadAsStringAsync();
    }

    /// <summary>The live figures of a loaded page, polled every <see cref="PollEvery"/>.</summary>
    private sealed class OpenPageLoop : IAsyncDisposable
    {
        private readonly CancellationTokenSource _closed = new();
        private readonly Task _loop;

        public OpenPageLoop(DashboardScenario scenario)
        {
            _loop = RunAsync(scenario, _closed.Token);
        }

        public async ValueTask DisposeAsync()
        {
            await _closed.CancelAsync();
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _closed.Dispose();
        }

        private static async Task RunAsync(DashboardScenario scenario, CancellationToken closed)
        {
            using var timer = new PeriodicTimer(PollEvery);
            while (await timer.WaitForNextTickAsync(closed))
            {
                await scenario.GetAsync("/actorpool/api/stats");
            }
        }
    }
}

/// <summary>The paging row's figures.</summary>
/// <param name="P95Ms">95th percentile of one page's request, read whole.</param>
/// <param name="P50Ms">Median of the same.</param>
/// <param name="WorkingSetGrowthMb">Peak working set during the requests over the working set before them.</param>
/// <param name="HeapGrowthMb">Heap after a full collection, after the requests over before them.</param>
public sealed record PagingResult(double P95Ms, double P50Ms, double WorkingSetGrowthMb, double HeapGrowthMb);
