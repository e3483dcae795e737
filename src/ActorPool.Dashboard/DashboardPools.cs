using ActorPool.Diagnostics;
using ActorPool.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ActorPool.Dashboard;

/// <summary>The pools the dashboard shows: those registered with <c>AddActorPool</c>, then those added to its options.</summary>
internal sealed class DashboardPools(IServiceProvider services, IOptions<ActorPoolDashboardOptions> options)
{
    /// <summary>Every pool, in registration order.</summary>
    public IReadOnlyList<DashboardPool> All()
    {
        var list = new List<DashboardPool>();
        if (services.GetService<ActorPoolRegistrations>() is { } registrations && services.GetService<HostedPools>() is { } hosted)
        {
            foreach (var name in registrations.Names)
            {
                list.Add(new DashboardPool(name, hosted.Get(name)));
            }
        }

        foreach (var (name, pool) in options.Value.Pools)
        {
            if (!list.Exists(p => p.Name == name))
            {
                list.Add(new DashboardPool(name, pool));
            }
        }

        return list;
    }

    /// <summary>The pool with that name, or null.</summary>
    public DashboardPool? Find(string name) => All().FirstOrDefault(p => p.Name == name);
}

/// <summary>One pool as the dashboard sees it; <see cref="Inspection"/> is null for a pool of another make.</summary>
internal sealed record DashboardPool(string Name, IWorkerPool Pool)
{
    public IPoolInspection? Inspection => Pool as IPoolInspection;

    public string Mode => Inspection?.Mode ?? "unknown";
}
