using System.Net;
using System.Net.Sockets;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using AkkaClusterOptions = Akka.Cluster.Hosting.ClusterOptions;

namespace ActorPool.Hosting.Tests;

public sealed class ClusterHostingTests
{
    [Fact]
    public async Task A_pool_in_a_host_clustered_with_WithClustering_must_run_named_tasks_with_cluster_mode_from_configuration()
    {
        var port = FreePort();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ActorPool:jobs:Workers"] = "3",
            ["ActorPool:jobs:Cluster:Enabled"] = "true",
        });
        builder.Services.AddAkka("hosted-cluster", akka => akka
            .WithRemoting("127.0.0.1", port)
            .WithClustering(new AkkaClusterOptions { Roles = ["worker"], SeedNodes = [$"akka.tcp://hosted-cluster@127.0.0.1:{port}"] }));
        builder.Services.AddActorPool("jobs", options => options.Handlers.Add<int, int>("square", (n, _) => Task.FromResult(n * n)));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var pool = host.Services.GetRequiredKeyedService<IWorkerPool>("jobs");

            var squares = await Task.WhenAll(Enumerable.Range(1, 10).Select(n => pool.RunAsync<int>("square", n))).WaitAsync(TimeSpan.FromSeconds(30));
            var refused = await Assert.ThrowsAsync<SubmitRejectedException>(() => pool.SubmitAsync(_ => Task.CompletedTask));

            Assert.Equal(Enumerable.Range(1, 10).Select(n => n * n), squares);
            Assert.Equal(RejectionReason.NamedTasksOnly, refused.Reason); // it really is the clustered pool
            // The cluster's figures are refreshed every 250 ms, so ten quick tasks can finish first.
            await TestSignals.EventuallyAsync(() => pool.GetStats().WorkersByNode.Count > 0, () => $"{pool.GetStats()}");
            Assert.Equal(3, Assert.Single(pool.GetStats().WorkersByNode).Value);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
