using System.Collections.Concurrent;
using System.Net;
using ActorPool.Hosting;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace ActorPool.Dashboard.Tests;

/// <summary>
/// A real ASP.NET Core host on a free loopback port, as a service would run one: Akka.Hosting, a
/// pool named <see cref="PoolName"/> with a few named tasks, the dashboard at <c>/actorpool</c> and
/// Prometheus at <c>/metrics</c>.
/// </summary>
internal sealed class DashboardHost : IAsyncDisposable
{
    public const string PoolName = "jobs";

    /// <summary>A policy every request satisfies: actions enabled, no login needed in a test.</summary>
    public const string OpenPolicy = "ops";

    /// <summary>A policy no request satisfies.</summary>
    public const string ClosedPolicy = "nobody";

    private readonly WebApplication _app;

    private DashboardHost(WebApplication app, HostedTasks tasks, string poolName)
    {
        _app = app;
        Tasks = tasks;
        Pool = app.Services.GetRequiredKeyedService<IWorkerPool>(poolName);
        Address = new Uri(app.Urls.First(u => u.StartsWith("http://", StringComparison.Ordinal)));
    }

    /// <summary>Where the host listens, e.g. http://127.0.0.1:40123.</summary>
    public Uri Address { get; }

    public Uri Dashboard => new(Address, "/actorpool");

    public IWorkerPool Pool { get; }

    public HostedTasks Tasks { get; }

    /// <param name="policy">The dashboard's authorization policy; null for its read-only, local-only default.</param>
    /// <param name="pool">Changes to the pool's options.</param>
    /// <param name="dashboard">Changes to the dashboard's options.</param>
    /// <param name="poolName">The pool's name; the meter is process-wide, so a test that reads metrics needs a name no other test's pool has.</param>
    public static async Task<DashboardHost> StartAsync(string? policy = OpenPolicy, Action<WorkerPoolOptions>? pool = null, Action<ActorPoolDashboardOptions>? dashboard = null, string poolName = PoolName)
    {
        var tasks = new HostedTasks();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Test" });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddAkka("dashboard-tests", akka => akka.AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend));
        builder.Services.AddActorPool(poolName, o =>
        {
            o.Workers = 2;
            o.QueueSize = 1_000;
            o.ShutdownTimeout = TimeSpan.FromSeconds(2);
            tasks.Register(o.Handlers);
            pool?.Invoke(o);
        });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(OpenPolicy, p => p.RequireAssertion(_ => true))
            .AddPolicy(ClosedPolicy, p => p.RequireAssertion(_ => false));
        builder.Services.AddActorPoolDashboard(o =>
        {
            o.AuthorizationPolicy = policy;
            dashboard?.Invoke(o);
        });
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(ActorPoolDiagnostics.MeterName).AddPrometheusExporter());

        var app = builder.Build();
        app.MapActorPoolDashboard();
        app.MapPrometheusScrapingEndpoint();
        await app.StartAsync();
        return new DashboardHost(app, tasks, poolName);
    }

    /// <summary>Waits until the pool has recorded <paramref name="id"/>'s outcome and returns it.</summary>
    public async Task<TaskResult> ResultAsync(long id)
    {
        TaskResult? result = null;
        await TestSignals.EventuallyAsync(() => Pool.GetResults().TryGetValue(id, out result), () => $"task {id} has no result");
        return result!;
    }

    public async ValueTask DisposeAsync()
    {
        Tasks.Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The named tasks the test pool runs.</summary>
internal sealed class HostedTasks
{
    private readonly ConcurrentDictionary<string, int> _runs = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _release = TestSignals.NewGate();

    /// <summary>Throws an <see cref="InvalidOperationException"/> with the payload as its message.</summary>
    public const string Fail = "fail";

    /// <summary>Fails the first time it runs with a payload, succeeds from then on: what a retry is for.</summary>
    public const string FailOnce = "fail-once";

    /// <summary>Holds its worker until the host is disposed or <see cref="Release"/> is called.</summary>
    public const string Hold = "hold";

    /// <summary>Waits the payload's milliseconds.</summary>
    public const string Work = "work";

    public void Release() => _release.TrySetResult();

    public void Register(TaskHandlerRegistry handlers)
    {
        handlers.Add<string>(Fail, (message, _) => throw new InvalidOperationException(message));
        handlers.Add<string>(FailOnce, (key, _) => _runs.AddOrUpdate(key, 1, (_, n) => n + 1) == 1
            ? throw new InvalidOperationException($"first run of {key} fails")
            : Task.CompletedTask);
        handlers.Add<int>(Hold, (_, token) => _release.Task.WaitAsync(token));
        handlers.Add<int>(Work, (ms, token) => Task.Delay(ms, token));
    }
}
