using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorPool.Hosting.Tests;

public sealed class HealthCheckTests
{
    private static readonly PoolStats Running = new() { Workers = 4, ActiveWorkers = 1, QueueCapacity = 10 };

    [Fact]
    public void A_stopped_pool_must_be_unhealthy_whatever_else_holds()
    {
        var result = PoolHealth.Evaluate("mail", Running with { IsStopped = true, IsCircuitOpen = true, Queued = 10 }, 0.9, HealthStatus.Unhealthy);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("stopped", result.Description);
    }

    [Fact]
    public void An_open_breaker_must_be_degraded()
    {
        var result = PoolHealth.Evaluate("mail", Running with { IsCircuitOpen = true }, 0.9, HealthStatus.Unhealthy);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("circuit breaker open", result.Description);
    }

    [Theory]
    [InlineData(8, 10, HealthStatus.Healthy)]
    [InlineData(9, 10, HealthStatus.Degraded)]
    [InlineData(10, 10, HealthStatus.Degraded)]
    [InlineData(1_000_000, 0, HealthStatus.Healthy)]
    public void A_bounded_queue_must_be_degraded_from_the_nearly_full_mark_and_an_unbounded_one_never(int queued, int capacity, HealthStatus expected)
    {
        var result = PoolHealth.Evaluate("mail", Running with { Queued = queued, QueueCapacity = capacity }, 0.9, HealthStatus.Unhealthy);

        Assert.Equal(expected, result.Status);
        Assert.Equal(queued, result.Data["queued"]);
    }

    [Fact]
    public async Task A_hosted_pool_must_report_healthy_then_degraded_when_its_queue_fills_then_unhealthy_once_stopped()
    {
        var builder = TestHosts.NewBuilder();
        builder.Services.AddAkka("health-tests", _ => { });
        builder.Services.AddActorPool("mail", o =>
        {
            o.Workers = 1;
            o.QueueSize = 4;
            o.ShutdownTimeout = TimeSpan.FromSeconds(1);
        });
        builder.Services.AddHealthChecks().AddActorPool("mail", nearlyFull: 0.75);
        using var host = builder.Build();
        await host.StartAsync();
        var health = host.Services.GetRequiredService<HealthCheckService>();
        var pool = host.Services.GetRequiredKeyedService<IWorkerPool>("mail");

        var healthy = await health.CheckHealthAsync();
        var release = TestSignals.NewGate();
        for (var i = 0; i < 4; i++)
        {
            await pool.SubmitAsync(_ => release.Task, CancellationToken.None);
        }

        await TestSignals.EventuallyAsync(() => pool.GetStats().Queued == 3, () => $"queued {pool.GetStats().Queued}");
        var degraded = await health.CheckHealthAsync();
        release.TrySetResult();
        await host.StopAsync();
        var stopped = await health.CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("queue nearly full, 3/4", degraded.Entries["actorpool-mail"].Description);
        Assert.Equal(HealthStatus.Unhealthy, stopped.Status);
    }
}
