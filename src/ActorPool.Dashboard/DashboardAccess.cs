using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ActorPool.Dashboard;

/// <summary>Who may read the dashboard and who may act on it (see <see cref="ActorPoolDashboardOptions"/>).</summary>
internal static class DashboardAccess
{
    /// <summary>Whether the request may read pages: it satisfies the policy, or, without one, comes from this machine.</summary>
    public static async Task<bool> CanReadAsync(HttpContext context)
    {
        var policy = Policy(context);
        return policy is null ? IsLocal(context) : await SatisfiesAsync(context, policy);
    }

    /// <summary>Whether the request may act: only with a policy, which it satisfies.</summary>
    public static async Task<bool> CanActAsync(HttpContext context)
    {
        var policy = Policy(context);
        return policy is not null && await SatisfiesAsync(context, policy);
    }

    /// <summary>Whether actions are enabled at all, which decides whether pages show their buttons.</summary>
    public static bool ActionsEnabled(HttpContext context) => Policy(context) is not null;

    /// <summary>From the host's own machine: a loopback address, or the address the request came in on.</summary>
    internal static bool IsLocal(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null)
        {
            return false; // nothing says where it came from: do not trust it
        }

        return IPAddress.IsLoopback(remote) || remote.Equals(context.Connection.LocalIpAddress);
    }

    private static string? Policy(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<ActorPoolDashboardOptions>>().Value.AuthorizationPolicy;

    private static async Task<bool> SatisfiesAsync(HttpContext context, string policy)
    {
        var authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
        var result = await authorization.AuthorizeAsync(context.User, context, policy);
        return result.Succeeded;
    }
}
