using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ActorPool.Dashboard;

/// <summary>Registers the services the ActorPool dashboard needs.</summary>
public static class ActorPoolDashboardServiceCollectionExtensions
{
    /// <summary>Adds the dashboard's services: its options, antiforgery for its actions and authorization for its policy.</summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets <see cref="ActorPoolDashboardOptions"/>; null keeps the defaults (local requests only, read-only).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddActorPoolDashboard(this IServiceCollection services, Action<ActorPoolDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ActorPoolDashboardOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddAntiforgery();
        services.AddAuthorization(); // not only the core: WebApplication adds the authorization middleware, which needs the policy services
        services.TryAddSingleton<DashboardPools>();
        return services;
    }
}
