using System.Collections.Concurrent;
using Akka;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ActorPool.Hosting;

/// <summary>The pools registered with <see cref="ActorPoolServiceCollectionExtensions.AddActorPool"/>; each is created once, in the container's actor system, on first use or when Akka starts.</summary>
internal sealed class HostedPools(IServiceProvider services, ActorPoolRegistrations registrations)
{
    private readonly ConcurrentDictionary<string, Lazy<WorkerPoolHandle>> _pools = new(StringComparer.Ordinal);

    public WorkerPoolHandle Get(string name) =>
        _pools.GetOrAdd(name, static (n, self) => new Lazy<WorkerPoolHandle>(() => self.Create(n)), this).Value;

    /// <summary>Creates and starts every registered pool; runs as an Akka.Hosting actor starter.</summary>
    public void StartAll()
    {
        foreach (var name in registrations.Names)
        {
            Get(name);
        }
    }

    private WorkerPoolHandle Create(string name)
    {
        var system = services.GetRequiredService<ActorSystem>();
        var options = services.GetRequiredService<IOptionsMonitor<WorkerPoolOptions>>().Get(name);

        // Handler types come from the host's container, or are made with its services injected.
        options.Services ??= new HandlerServices(services);
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger(ActorPoolLog.Category) ?? NullLogger.Instance;
        var pool = WorkerPool.Create(system, options, name);

        // The drain runs in service-requests-done; the summary follows in the next phase.
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, $"actor-pool-{name}-summary", () =>
        {
            var stats = pool.GetStats();
            ActorPoolLog.PoolStopped(logger, name, stats.Submitted, stats.Succeeded, stats.Failed, stats.Cancelled, stats.TimedOut, stats.Dropped, stats.Rejected);
            return Task.FromResult(Done.Instance);
        });
        pool.Start();
        ActorPoolLog.PoolStarted(logger, name, options.Workers, options.QueueSize, options.ShutdownTimeout);
        return new WorkerPoolHandle(pool);
    }
}

/// <summary>The names passed to <see cref="ActorPoolServiceCollectionExtensions.AddActorPool"/>, in order; one instance per service collection.</summary>
internal sealed class ActorPoolRegistrations
{
    private readonly List<string> _names = [];

    public IReadOnlyList<string> Names => _names;

    public bool Add(string name)
    {
        if (_names.Contains(name, StringComparer.Ordinal))
        {
            return false;
        }

        _names.Add(name);
        return true;
    }
}

/// <summary>
/// Resolves handler types for a hosted pool: from the container when registered there, else made
/// by the container with their constructor's services injected, so a handler needs no registration.
/// </summary>
internal sealed class HandlerServices(IServiceProvider services) : IServiceProvider
{
    public object? GetService(Type serviceType) =>
        services.GetService(serviceType)
        ?? (serviceType is { IsClass: true, IsAbstract: false } ? ActivatorUtilities.CreateInstance(services, serviceType) : null);
}
