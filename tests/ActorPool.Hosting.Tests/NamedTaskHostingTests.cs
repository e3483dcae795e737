using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorPool.Hosting.Tests;

public sealed class NamedTaskHostingTests
{
    [Fact]
    public async Task A_schedule_declared_in_IConfiguration_must_run_on_the_hosted_pool_and_show_in_its_list()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(new Greeting("hello, "));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ActorPool:timed:Schedules:every-second:Cron"] = "* * * * * *",
            ["ActorPool:timed:Schedules:every-second:Handler"] = "greet",
            ["ActorPool:timed:Schedules:every-second:Payload"] = "\"ada\"",
            ["ActorPool:timed:Schedules:every-second:Overlap"] = "Allow",
        });
        builder.Services.AddAkka("scheduled", _ => { });
        builder.Services.AddActorPool("timed", options => options.Handlers.Add<GreetHandler, string, string>("greet"));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var pool = host.Services.GetRequiredKeyedService<IWorkerPool>("timed");
            var schedule = Assert.Single(pool.Schedules.List());
            Assert.Equal(("every-second", "* * * * * *", OverlapPolicy.Allow), (schedule.Id, schedule.Cron, schedule.Overlap));

            await TestSignals.EventuallyAsync(() => pool.GetStats().Succeeded > 0, () => "the schedule has not run");

            var run = pool.GetResults().Values.First();
            Assert.Equal(("greet", "\"ada\""), (run.Handler, run.Payload));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_handler_type_of_a_hosted_pool_must_get_the_hosts_services_injected()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(new Greeting("hello, "));
        builder.Services.AddAkka("named", _ => { });
        builder.Services.AddActorPool("mail", options => options.Handlers.Add<GreetHandler, string, string>("greet"));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var pool = host.Services.GetRequiredKeyedService<IWorkerPool>("mail");

            var greeting = await pool.RunAsync<string>("greet", "ada").WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal("hello, ada", greeting);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    public sealed record Greeting(string Prefix);

    /// <summary>Not registered in the container: made by it, with <see cref="Greeting"/> injected.</summary>
    public sealed class GreetHandler(Greeting greeting) : ITaskHandler<string, string>
    {
        public Task<string> HandleAsync(string payload, CancellationToken cancellationToken) => Task.FromResult(greeting.Prefix + payload);
    }
}
