using System.CommandLine;
using System.Net;
using ActorPool.Cli.Cluster;
using ActorPool.Cli.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace ActorPool.Cli.Commands;

/// <summary>
/// <c>actorpool node</c>: runs one node of an ActorPool cluster until Ctrl+C or SIGTERM, then
/// leaves the cluster gracefully. Its workers run the named tasks that <c>actorpool run
/// --cluster</c> (or any node) submits.
/// </summary>
/// <remarks>
/// stdout carries one line, <c>node up: &lt;address&gt;</c>, once the node is a member (Up), and
/// with <c>--dashboard</c> a second, <c>dashboard: &lt;url&gt;</c>; everything else (membership changes, Akka's warnings, errors) goes to stderr. Exit
/// codes: 0 after leaving on a signal, 2 on bad usage, 3 when the node could not start or join,
/// or was removed from the cluster without being asked to leave.
/// </remarks>
internal static class NodeCommand
{
    /// <summary>What stdout says once the node is Up, followed by its address; scripts and tests wait for it.</summary>
    public const string UpLine = "node up: ";

    /// <summary>Workers a node hosts unless told otherwise: a few per core of a small machine.</summary>
    public const int DefaultWorkers = 4;

    /// <summary>How long a node, or a run, waits to become a member before it gives up.</summary>
    public static readonly TimeSpan DefaultJoinTimeout = TimeSpan.FromSeconds(20);

    /// <summary>The longest join timeout accepted: a node that cannot join within an hour will not.</summary>
    public static readonly TimeSpan MaxJoinTimeout = TimeSpan.FromHours(1);

    public static Command Create(TextWriter output, TextWriter error, ShutdownSignal signal)
    {
        var port = NumericOption.RequiredInt("--port", "The TCP port this node listens on; other nodes give it as --seed host:port (0 = any free port).", 0, 65_535);
        var hostname = HostnameOption();
        var seeds = SeedAddress.Option("A node of the cluster to join, as host:port (repeatable). Without it, or when it is this node, the node starts a new cluster.");
        var workers = NumericOption.Int("--workers", "Workers this node hosts (0 = it hosts none and only submits). Give every node the same number: the supervisor's node decides how many run per node.", DefaultWorkers, 0, RunCommand.MaxWorkers, "-w");
        var joinTimeout = JoinTimeoutOption();
        var dashboard = DashboardServer.Option();

        var command = new Command("node", "Run a node of an ActorPool cluster until Ctrl+C or SIGTERM, then leave the cluster gracefully.")
        {
            port, hostname, seeds, workers, joinTimeout, dashboard,
        };
        command.SetAction((parse, _) => RunAsync(
            new ClusterNodeSettings(parse.GetValue(hostname)!, parse.GetValue(port), parse.GetValue(seeds) ?? [], parse.GetValue(workers)),
            NumericOption.ValueOr(parse, joinTimeout, DefaultJoinTimeout),
            output,
            error,
            signal,
            parse.GetValue(dashboard)));
        return command;
    }

    /// <summary><c>--hostname</c>: what this node listens on and is reached by, for <c>node</c> and <c>run --cluster</c>.</summary>
    public static Option<string> HostnameOption()
    {
        var hostname = new Option<string>("--hostname")
        {
            Description = "The host name or IP address this node listens on and other nodes reach it by (spell it as they give it in --seed).",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        hostname.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!SeedAddress.IsHostName(value))
            {
                result.AddError($"--hostname must be a host name or an IP address, was: '{value}'.");
            }
        });
        return hostname;
    }

    /// <summary><c>--join-timeout</c>: how long to wait to become a member (and, for a run, for workers).</summary>
    public static Option<TimeSpan> JoinTimeoutOption() =>
        NumericOption.Duration("--join-timeout", "How long to wait to join the cluster before giving up with exit code 3.", DefaultJoinTimeout, MaxJoinTimeout);

    /// <summary>Runs the node until a signal (exit 0 after leaving) or until the cluster removes it (exit 3).</summary>
    internal static async Task<int> RunAsync(ClusterNodeSettings settings, TimeSpan joinTimeout, TextWriter output, TextWriter error, ShutdownSignal signal, IPEndPoint? dashboard = null)
    {
        ClusterNode node;
        try
        {
            node = ClusterNode.Start(settings);
        }
        catch (Exception ex)
        {
            await error.WriteLineAsync($"actorpool node: cannot start on {settings.Hostname}:{settings.Port}: {ex.GetBaseException().Message}");
            return ExitCodes.ClusterUnavailable;
        }

        await using (node)
        {
            WebApplication? web = null;
            if (dashboard is not null)
            {
                try
                {
                    web = await StartDashboardAsync(node, dashboard);
                }
                catch (IOException ex)
                {
                    await error.WriteLineAsync($"actorpool node: {DashboardServer.Describe(dashboard, ex)}");
                    return ExitCodes.BadUsage;
                }
            }

            await using var stopWeb = web;
            try
            {
                if (!await node.JoinAsync(settings, joinTimeout, signal.Graceful))
                {
                    await error.WriteLineAsync($"actorpool node: {node.Address} could not join the cluster through {Describe(settings.Seeds)} within {NumericOption.Format(joinTimeout)}; is a node running there?");
                    return ExitCodes.ClusterUnavailable;
                }
            }
            catch (OperationCanceledException)
            {
                return ExitCodes.Success; // stopped before it joined: nothing to leave
            }

            await output.WriteLineAsync($"{UpLine}{node.Address}");
            if (web is not null)
            {
                await output.WriteLineAsync($"{DashboardServer.ReadyLine}{DashboardServer.Url(web)}");
            }

            await output.FlushAsync(CancellationToken.None);

            var stopped = Task.Delay(Timeout.Infinite, signal.Graceful);
            if (await Task.WhenAny(stopped, node.Terminated) == node.Terminated)
            {
                await error.WriteLineAsync($"actorpool node: {node.Address} was removed from the cluster without leaving (downed as unreachable?); exiting.");
                return ExitCodes.ClusterUnavailable;
            }

            await error.WriteLineAsync($"actorpool node: {node.Address} leaving the cluster");
            try
            {
                await node.LeaveAsync(signal.Immediate);
            }
            catch (OperationCanceledException)
            {
                return ExitCodes.Interrupted; // a second signal: stop waiting for the leave
            }

            return ExitCodes.Success;
        }
    }

    /// <summary>The dashboard for this node's view of the cluster's pool: the supervisor's figures, wherever it runs.</summary>
    private static async Task<WebApplication> StartDashboardAsync(ClusterNode node, IPEndPoint endpoint)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.AddDashboard(endpoint, o => o.AddPool(ClusterNode.PoolName, node.Pool));
        var app = builder.Build();
        app.MapDashboard();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    /// <summary>The seeds as typed, for messages.</summary>
    internal static string Describe(IReadOnlyList<SeedAddress> seeds) =>
        seeds.Count == 0 ? "itself" : string.Join(", ", seeds);
}
