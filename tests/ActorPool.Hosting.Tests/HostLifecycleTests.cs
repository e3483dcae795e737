using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ActorPool.Hosting.Tests;

public sealed class HostLifecycleTests
{
    [Fact]
    public async Task Host_stop_must_let_running_and_queued_tasks_finish_through_coordinated_shutdown()
    {
        using var host = TestHosts.Build("mail", o =>
        {
            o.Workers = 2;
            o.QueueSize = 10;
            o.ShutdownTimeout = TimeSpan.FromSeconds(15);
        });
        await host.StartAsync();
        var pool = host.Services.GetRequiredKeyedService<IWorkerPool>("mail");
        var system = host.Services.GetRequiredService<ActorSystem>();
        var release = TestSignals.NewGate();
        var running = 0;
        var bothRunning = TestSignals.NewGate();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await pool.SubmitAsync(async _ =>
            {
                if (Interlocked.Increment(ref running) == 2)
                {
                    bothRunning.TrySetResult();
                }

                await release.Task;
            }));
        }

        await bothRunning.WaitAsync();
        var clock = Stopwatch.StartNew();
        var stopping = host.StopAsync();

        // The drain is under way once the pool refuses new work (tasks it still took before that count too).
        var accepted = 0;
        var deadline = DateTime.UtcNow + TestSignals.Patience;
        while (await pool.TrySubmitAsync(_ => release.Task))
        {
            accepted++;
            Assert.True(DateTime.UtcNow < deadline, "the pool never began to drain");
            await Task.Delay(10);
        }

        Assert.False(system.WhenTerminated.IsCompleted, "the actor system went before the pool drained");
        release.TrySetResult();
        await stopping.WaitAsync(TestSignals.Patience);
        clock.Stop();

        await system.WhenTerminated.WaitAsync(TestSignals.Patience);
        var results = pool.GetResults();
        Assert.All(ids, id => Assert.Equal(TaskOutcome.Succeeded, results[id].Outcome));
        var stats = pool.GetStats();
        Assert.Equal(5 + accepted, stats.Succeeded);
        Assert.Equal(1, stats.Rejected);
        Assert.Equal(stats.Submitted, stats.Succeeded + stats.Rejected);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"stop took {clock.Elapsed}");
    }

    [Fact]
    public async Task Tasks_that_outlive_the_shutdown_timeout_must_be_recorded_and_the_host_must_still_stop()
    {
        using var host = TestHosts.Build("slow", o =>
        {
            o.Workers = 1;
            o.ShutdownTimeout = TimeSpan.FromSeconds(1);
        });
        await host.StartAsync();
        var pool = host.Services.GetRequiredKeyedService<IWorkerPool>("slow");
        var started = TestSignals.NewGate();
        var stuck = await pool.SubmitAsync(async ct =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        });
        var queued = await pool.SubmitAsync(_ => Task.CompletedTask);
        await started.WaitAsync();

        var clock = Stopwatch.StartNew();
        await host.StopAsync().WaitAsync(TestSignals.Patience);
        clock.Stop();

        var results = pool.GetResults();
        Assert.Equal(TaskOutcome.TimedOut, results[stuck].Outcome);
        Assert.Equal(TaskOutcome.Cancelled, results[queued].Outcome);
        Assert.Equal(0, results[queued].Attempts);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_drain_phase_timeout_must_be_raised_to_fit_the_pool_shutdown_timeout()
    {
        using var host = TestHosts.Build("patient", o => o.ShutdownTimeout = TimeSpan.FromSeconds(40));
        await host.StartAsync();

        var system = host.Services.GetRequiredService<ActorSystem>();
        var phase = CoordinatedShutdown.Get(system).Timeout(CoordinatedShutdown.PhaseServiceRequestsDone);

        Assert.True(phase >= TimeSpan.FromSeconds(40), $"service-requests-done timeout was {phase}");
        await host.StopAsync();
    }

    [Fact]
    public async Task Several_pools_must_be_injectable_by_name_and_the_first_without_a_key()
    {
        var builder = TestHosts.NewBuilder();
        builder.Services.AddAkka("hosting-tests", _ => { });
        builder.Services.AddActorPool("mail", o => o.Workers = 2).AddActorPool("reports", o => o.Workers = 3);
        using var host = builder.Build();
        await host.StartAsync();

        var mail = host.Services.GetRequiredKeyedService<IWorkerPool>("mail");
        var reports = host.Services.GetRequiredKeyedService<IWorkerPool>("reports");

        Assert.Equal(("mail", 2), (mail.Name, mail.Workers));
        Assert.Equal(("reports", 3), (reports.Name, reports.Workers));
        Assert.Same(mail, host.Services.GetRequiredService<IWorkerPool>());
        Assert.Equal(42, await reports.RunAsync(_ => Task.FromResult(42)));
        await host.StopAsync();
    }

    [Fact]
    public void Registering_a_name_twice_or_without_an_actor_system_must_fail_clearly()
    {
        var services = new ServiceCollection();
        var missing = Assert.Throws<InvalidOperationException>(() => services.AddActorPool("mail"));
        Assert.Contains("AddAkka", missing.Message);

        services.AddAkka("hosting-tests", _ => { }).AddActorPool("mail");
        var twice = Assert.Throws<ArgumentException>(() => services.AddActorPool("mail"));
        Assert.Contains("'mail'", twice.Message);
    }

    [Fact]
    public void Akka_s_hosted_service_must_be_moved_first_so_it_stops_after_every_other_service()
    {
        var services = new ServiceCollection();
        services.AddHostedService<IdleService>(); // registered before AddAkka: would otherwise stop after the pools drained
        services.AddAkka("hosting-tests", _ => { }).AddActorPool("mail");

        var first = services.First(d => d.ServiceType == typeof(IHostedService));

        Assert.Equal(typeof(AkkaHostedService), first.ImplementationType);
    }

    [Fact]
    public void Akka_Hosting_registrations_of_an_unknown_shape_must_fail_at_AddActorPool_naming_what_was_found()
    {
        var asInstance = new ServiceCollection();
        asInstance.AddSingleton(new AkkaConfigurationBuilder(asInstance, "hosting-tests"));
        var noFactory = Assert.Throws<InvalidOperationException>(() => asInstance.AddActorPool("mail"));

        var noHostedService = new ServiceCollection();
        noHostedService.AddAkka("hosting-tests", _ => { });
        noHostedService.RemoveAll<IHostedService>();
        var noService = Assert.Throws<InvalidOperationException>(() => noHostedService.AddActorPool("mail"));

        Assert.Contains("an instance, not by the factory", noFactory.Message, StringComparison.Ordinal);
        Assert.Contains("AkkaHostedService", noService.Message, StringComparison.Ordinal);
        Assert.All([noFactory, noService], error => Assert.Contains("Akka.Hosting", error.Message, StringComparison.Ordinal));
    }

    private sealed class IdleService : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;
    }
}
