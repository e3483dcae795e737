using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using ActorPool.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace ActorPool.Cli.Web;

/// <summary>
/// <c>--dashboard [host:port]</c> for <c>serve</c> and <c>node</c>: the ActorPool dashboard at
/// <c>/actorpool</c> and Prometheus metrics at <c>/metrics</c> on Kestrel.
/// </summary>
/// <remarks>
/// Actions (retry, cancel, resize) are enabled for requests from this machine only, through the
/// dashboard's own policy hook: the CLI is a local tool, so a loopback caller is its operator.
/// </remarks>
internal static class DashboardServer
{
    /// <summary>Where the dashboard listens when <c>--dashboard</c> is given without a value.</summary>
    public const string DefaultEndpoint = "127.0.0.1:5080";

    /// <summary>The authorization policy the CLI registers: local requests only.</summary>
    public const string LocalPolicy = "actorpool-local";

    /// <summary>What stdout says once the dashboard listens, followed by its URL.</summary>
    public const string ReadyLine = "dashboard: ";

    /// <summary><c>--dashboard [host:port]</c>; its value is null when it is absent.</summary>
    public static Option<IPEndPoint?> Option() =>
        new("--dashboard")
        {
            Description = $"Serve the web dashboard and /metrics on host:port (an IP address or localhost; port 0 = any free port); without a value, {DefaultEndpoint}.",
            HelpName = "host:port",
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = Parse,
        };

    /// <summary>Adds Kestrel on <paramref name="endpoint"/>, the dashboard, its local-only policy and the Prometheus exporter.</summary>
    public static void AddDashboard(this WebApplicationBuilder builder, IPEndPoint endpoint, Action<ActorPoolDashboardOptions>? configure = null)
    {
        builder.WebHost.UseKestrel(k => k.Listen(endpoint));
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(LocalPolicy, p => p.RequireAssertion(c => c.Resource is HttpContext http && http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)));
        builder.Services.AddActorPoolDashboard(o =>
        {
            o.AuthorizationPolicy = LocalPolicy;
            configure?.Invoke(o);
        });
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(ActorPoolDiagnostics.MeterName).AddPrometheusExporter());
    }

    /// <summary>Maps the dashboard at <c>/actorpool</c> and the scrape endpoint at <c>/metrics</c>; the root redirects to the dashboard.</summary>
    public static void MapDashboard(this WebApplication app)
    {
        app.MapActorPoolDashboard();
        app.MapPrometheusScrapingEndpoint();
        app.MapGet("/", () => Results.Redirect("/actorpool/"));
    }

    /// <summary>The dashboard's URL once Kestrel listens (with the port it chose for port 0).</summary>
    public static string Url(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? app.Urls.First();
        return $"{address.TrimEnd('/')}/actorpool/";
    }

    /// <summary>A one-line reason Kestrel could not listen (address in use, no permission), for stderr.</summary>
    public static string Describe(IPEndPoint endpoint, Exception error) =>
        string.Create(CultureInfo.InvariantCulture, $"cannot serve the dashboard on {endpoint}: {error.GetBaseException().Message}");

    private static IPEndPoint? Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? DefaultEndpoint : result.Tokens[0].Value;
        var colon = text.LastIndexOf(':');
        var host = colon > 0 ? text[..colon].Trim('[', ']') : string.Empty;
        IPAddress? ip = host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host, out var parsed) ? parsed : null;
        if (ip is null || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
        {
            result.AddError($"--dashboard must be host:port with an IP address or localhost and a port from 0 to 65535 (such as {DefaultEndpoint}), was: '{text}'.");
            return null;
        }

        return new IPEndPoint(ip, port);
    }
}
