using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorPool.Hosting.Tests;

public sealed class NamedTaskHostingTests
{
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
