using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ActorPool.Dashboard;

/// <summary>Maps the ActorPool dashboard into an ASP.NET Core app, as <c>MapHangfireDashboard</c> does for Hangfire.</summary>
public static class ActorPoolDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the dashboard under <paramref name="prefix"/>: the overview at <c>{prefix}/</c>, a pool at
    /// <c>{prefix}/pools/{name}</c>, a task at <c>{prefix}/pools/{name}/tasks/{id}</c>, live figures at
    /// <c>{prefix}/api/stats</c>. Call <see cref="ActorPoolDashboardServiceCollectionExtensions.AddActorPoolDashboard"/> first.
    /// </summary>
    /// <param name="endpoints">The app, or any endpoint route builder.</param>
    /// <param name="prefix">Where the dashboard lives: starts with '/', does not end with one; <c>/actorpool</c> unless given.</param>
    /// <returns>The dashboard's route group, to add conventions (a host filter, say).</returns>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> is not a path such as <c>/actorpool</c>.</exception>
    /// <exception cref="InvalidOperationException">The dashboard's services were not added.</exception>
    public static RouteGroupBuilder MapActorPoolDashboard(this IEndpointRouteBuilder endpoints, string prefix = "/actorpool")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length < 2 || prefix[0] != '/' || prefix[^1] == '/' || prefix.Contains("//", StringComparison.Ordinal) || prefix.Contains('{', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The dashboard's prefix must be a path that starts with '/' and does not end with one, such as '/actorpool'; was: '{prefix}'.", nameof(prefix));
        }

        if (endpoints.ServiceProvider.GetService<DashboardPools>() is null)
        {
            throw new InvalidOperationException("The ActorPool dashboard's services are missing: call services.AddActorPoolDashboard() before app.MapActorPoolDashboard().");
        }

        var group = endpoints.MapGroup(prefix);
        var handlers = new DashboardEndpoints(new PathString(prefix));
        group.MapGet("/", handlers.OverviewAsync);
        group.MapGet("/api/stats", DashboardEndpoints.StatsAsync);
        group.MapGet("/assets/{file}", DashboardEndpoints.AssetAsync);
        group.MapGet("/pools/{pool}", handlers.PoolAsync);
        group.MapGet("/pools/{pool}/tasks/{id:long}", handlers.TaskAsync);
        group.MapPost("/pools/{pool}/tasks/{id:long}/retry", handlers.RetryAsync);
        group.MapPost("/pools/{pool}/tasks/{id:long}/cancel", handlers.CancelAsync);
        group.MapPost("/pools/{pool}/resize", handlers.ResizeAsync);
        return group;
    }
}
