using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ActorPool.Hosting.Tests;

public sealed class OptionsTests
{
    private const string Hocon = """
        actor-pool {
          workers = 3
          queue-size = 7
          shutdown-timeout = 9s
          max-attempts = 4
        }
        """;

    [Fact]
    public async Task Code_must_win_over_configuration_which_wins_over_hocon_which_wins_over_defaults()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ActorPool:mail:QueueSize"] = "50",
            ["ActorPool:mail:ShutdownTimeout"] = "00:00:11",
            ["ActorPool:other:Workers"] = "99",
        };
        using var host = TestHosts.Build("mail", o => o.ShutdownTimeout = TimeSpan.FromSeconds(12), settings, Hocon);
        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptionsMonitor<WorkerPoolOptions>>().Get("mail");

        Assert.Equal(3, options.Workers);                                  // HOCON
        Assert.Equal(4, options.MaxAttempts);                              // HOCON
        Assert.Equal(50, options.QueueSize);                               // IConfiguration over HOCON
        Assert.Equal(TimeSpan.FromSeconds(12), options.ShutdownTimeout);   // code over both
        Assert.Equal(TimeSpan.FromSeconds(10), options.AskTimeout);        // embedded default
        Assert.Equal(3, host.Services.GetRequiredKeyedService<IWorkerPool>("mail").Workers);
        await host.StopAsync();
    }

    [Fact]
    public async Task Key_settings_in_configuration_must_reach_the_pool()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ActorPool:keys:DeduplicationWindow"] = "00:05:00",
            ["ActorPool:keys:DefaultConcurrencyLimit"] = "4",
            ["ActorPool:keys:ConcurrencyLimits:tenant-42"] = "2",
        };
        using var host = TestHosts.Build("keys", settings: settings);
        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptionsMonitor<WorkerPoolOptions>>().Get("keys");

        Assert.Equal(TimeSpan.FromMinutes(5), options.DeduplicationWindow);
        Assert.Equal(4, options.DefaultConcurrencyLimit);
        Assert.Equal(2, options.ConcurrencyLimits["tenant-42"]);
        await host.StopAsync();
    }

    [Fact]
    public async Task Environment_variables_must_reach_the_pool_through_configuration()
    {
        // A name of its own keeps this process-wide variable away from every other test.
        var name = TestHosts.UniqueName("env");
        var variable = $"ActorPool__{name}__Workers";
        Environment.SetEnvironmentVariable(variable, "6");
        try
        {
            var builder = TestHosts.NewBuilder();
            builder.Configuration.AddEnvironmentVariables();
            builder.Services.AddAkka("hosting-tests", _ => { });
            builder.Services.AddActorPool(name);
            using var host = builder.Build();
            await host.StartAsync();

            Assert.Equal(6, host.Services.GetRequiredKeyedService<IWorkerPool>(name).Workers);
            await host.StopAsync();
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Theory]
    [InlineData("Workers", "0", "ActorPool:mail:Workers", "was: 0")]
    [InlineData("QueueSize", "-1", "ActorPool:mail:QueueSize", "was: -1")]
    [InlineData("ShutdownTimeout", "00:00:00", "ActorPool:mail:ShutdownTimeout", "was: 00:00:00")]
    [InlineData("Workers", "lots", "ActorPool:mail:Workers", "'lots'")]
    [InlineData("CircuitBreaker:MaxFailures", "-2", "ActorPool:mail:CircuitBreaker:MaxFailures", "was: -2")]
    public async Task An_invalid_value_must_fail_host_start_naming_the_key_and_the_value(string key, string value, string expectedKey, string expectedValue)
    {
        using var host = TestHosts.Build("mail", settings: new Dictionary<string, string?> { [$"ActorPool:mail:{key}"] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expectedKey, error.Message);
        Assert.Contains(expectedValue, error.Message);
        Assert.Equal("mail", error.OptionsName);
    }

    [Fact]
    public async Task An_invalid_hocon_value_must_fail_host_start_naming_the_hocon_key()
    {
        using var host = TestHosts.Build("mail", hocon: "actor-pool.workers = 0");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("actor-pool.workers", error.Message);
        Assert.Contains("was: 0", error.Message);
    }

    [Fact]
    public async Task A_pool_must_start_with_the_host_even_if_nothing_asks_for_it()
    {
        using var host = TestHosts.Build("eager", o => o.Workers = 2);
        await host.StartAsync();

        var system = host.Services.GetRequiredService<ActorSystem>();
        var supervisor = await system.ActorSelection("/user/eager").ResolveOne(TestSignals.Patience);

        Assert.NotNull(supervisor);
        await host.StopAsync();
    }
}
