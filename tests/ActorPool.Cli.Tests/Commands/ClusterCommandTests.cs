using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using ActorPool.Cli.Commands;

namespace ActorPool.Cli.Tests.Commands;

/// <summary>
/// <c>actorpool node</c> and <c>actorpool run --cluster</c> as real processes on 127.0.0.1, the
/// way scripts drive them: every wait is on a printed line or an exit, with a deadline.
/// </summary>
[Collection(nameof(ClusterProcesses))]
public sealed partial class ClusterCommandTests
{
    /// <summary>Starting a .NET process and an actor system takes a few seconds on a loaded 2-core machine.</summary>
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(60);

    /// <summary>A run that loses a node waits for the node to be downed (failure detection and 5 s of split-brain stability) and re-runs its tasks.</summary>
    private static readonly TimeSpan RunPatience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Node_must_print_one_up_line_and_leave_with_exit_zero_on_sigterm()
    {
        using var node = CliProcess.Start("node", "--port", "0", "--workers", "2"); // disposing kills it if the test fails early
        await node.WaitForLineAsync(IsUpLine).WaitAsync(StartPatience);

        await node.SignalAsync("TERM");
        var exit = await node.WaitForExitAsync(StartPatience);

        Assert.True(exit == ExitCodes.Success, $"exit {exit}; stderr: {node.Error}");
        var line = Assert.Single(node.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^node up: akka\.tcp://actorpool@127\.0\.0\.1:\d+$", line);
        Assert.Contains("leaving the cluster", node.Error);
    }

    [Fact]
    public async Task Run_on_a_cluster_must_finish_every_task_when_a_worker_node_is_killed_mid_run()
    {
        const int Tasks = 2000;
        var ports = FreePorts(3);
        var seed = $"127.0.0.1:{ports[0]}";
        var clock = Stopwatch.StartNew();
        var nodes = new List<CliProcess>();
        CliProcess? run = null;
        try
        {
            // The first node starts the cluster (it seeds itself); the others join through it.
            nodes.Add(CliProcess.Start("node", "--port", Port(ports[0]), "--seed", seed, "--workers", "4"));
            await nodes[0].WaitForLineAsync(IsUpLine).WaitAsync(StartPatience);
            nodes.Add(CliProcess.Start("node", "--port", Port(ports[1]), "--seed", seed, "--workers", "4"));
            nodes.Add(CliProcess.Start("node", "--port", Port(ports[2]), "--seed", seed, "--workers", "4"));
            await Task.WhenAll(nodes.Skip(1).Select(n => n.WaitForLineAsync(IsUpLine))).WaitAsync(StartPatience);
            var victim = nodes[1];
            var victimAddress = $"akka.tcp://actorpool@127.0.0.1:{ports[1]}";

            run = CliProcess.Start("run", "--cluster", "--seed", seed, "--workers", "0", "--tasks", Tasks.ToString(CultureInfo.InvariantCulture), "--delay-ms", "10", "--json");

            // Mid-run: a tenth done, and the victim's workers among those running them.
            await run.WaitForLineAsync(line => Progress(line) is >= Tasks / 10 and < Tasks && line.Contains($"127.0.0.1:{ports[1]} x", StringComparison.Ordinal)).WaitAsync(StartPatience);
            victim.Kill();
            var killedAt = clock.Elapsed;
            var exit = await run.WaitForExitAsync(RunPatience);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"killed at {killedAt.TotalSeconds:F1} s; the run ended {(clock.Elapsed - killedAt).TotalSeconds:F1} s later"));

            Assert.True(exit == ExitCodes.Success, $"exit {exit}; stdout: {run.Output}; stderr: {run.Error}");
            using var json = JsonDocument.Parse(Assert.Single(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
            var report = json.RootElement;
            Assert.Equal(Tasks, report.GetProperty("submitted").GetInt32());
            Assert.Equal(Tasks, report.GetProperty("succeeded").GetInt32());
            foreach (var none in new[] { "failed", "cancelled", "timedOut", "dropped", "rejected" })
            {
                Assert.Equal(0, report.GetProperty(none).GetInt32());
            }

            var perNode = report.GetProperty("perNode").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
            Assert.Equal(Tasks, perNode.Values.Sum());
            Assert.Contains(victimAddress, perNode.Keys);                   // it ran tasks before it died
            Assert.Contains(perNode.Keys, node => node != victimAddress);   // and others ran the rest
            Assert.True(report.GetProperty("retried").GetInt64() > 0, $"what the victim held should have run again elsewhere: {json.RootElement}");
            Assert.True(report.GetProperty("wallMs").GetInt64() > 0);

            // The survivors saw the victim's connection fail; Akka puts a stack trace into that
            // warning's text, and the CLI never prints one.
            foreach (var process in new[] { nodes[0], nodes[2], run })
            {
                Assert.DoesNotContain(process.Error.Split('\n'), line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
            }
        }
        finally
        {
            run?.Dispose();
            foreach (var node in nodes)
            {
                node.Dispose();
            }

            // Not asserted (the machine is shared); printed so a slow run shows where the time went.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cluster run with a killed node: {clock.Elapsed.TotalSeconds:F1} s"));
        }
    }

    [Fact]
    public async Task Run_on_a_cluster_must_give_up_within_its_join_timeout_with_one_line_when_the_seed_is_unreachable()
    {
        var port = FreePorts(1)[0];
        var clock = Stopwatch.StartNew();
        using var run = CliProcess.Start("run", "--cluster", "--seed", $"127.0.0.1:{port}", "--tasks", "10", "--join-timeout", "3s");

        var exit = await run.WaitForExitAsync(StartPatience);

        Assert.Equal(ExitCodes.ClusterUnavailable, exit);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"actorpool run: could not join the cluster through 127.0.0.1:{port} within 3s; is an actorpool node running there?", line);
        Assert.Empty(run.Output);
    }

    [Theory]
    [InlineData(new[] { "run", "--cluster", "--tasks", "5" }, "--cluster needs --seed host:port")]
    [InlineData(new[] { "run", "--seed", "127.0.0.1:4053" }, "--seed is for runs on a cluster: add --cluster.")]
    [InlineData(new[] { "run", "--cluster", "--seed", "127.0.0.1" }, "--seed must be host:port with a port from 1 to 65,535, such as 127.0.0.1:4053, was: '127.0.0.1'.")]
    [InlineData(new[] { "run", "--workers", "0" }, "--workers must be a whole number from 1 to 10,000, was: '0'.")]
    [InlineData(new[] { "node" }, "--port")]
    [InlineData(new[] { "node", "--port", "4053", "--hostname", "a b" }, "--hostname must be a host name or an IP address, was: 'a b'.")]
    [InlineData(new[] { "node", "--port", "70000" }, "--port must be a whole number from 0 to 65,535, was: '70000'.")]
    public async Task A_bad_cluster_command_line_must_give_one_line_naming_the_problem_and_exit_two(string[] args, string expected)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        using var signal = new ShutdownSignal();

        var exit = await Program.RunAsync(args, output, error, signal);

        Assert.Equal(ExitCodes.BadUsage, exit);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line);
        Assert.Empty(output.ToString());
    }

    [Fact]
    public void Run_with_cluster_must_accept_zero_workers_and_without_cluster_must_not()
    {
        using var signal = new ShutdownSignal();
        var root = Program.CreateRoot(TextWriter.Null, TextWriter.Null, signal);

        var clustered = root.Parse(["run", "--cluster", "--seed", "127.0.0.1:4053", "--workers", "0"]);
        var local = root.Parse(["run", "--workers", "0"]);

        Assert.Empty(clustered.Errors);
        Assert.NotEmpty(local.Errors);
    }

    private static bool IsUpLine(string line) => line.StartsWith(NodeCommand.UpLine, StringComparison.Ordinal);

    /// <summary>How many tasks a progress line says are done, or null for another line.</summary>
    private static int? Progress(string line) =>
        ProgressLine().Match(line) is { Success: true } m ? int.Parse(m.Groups["done"].Value, CultureInfo.InvariantCulture) : null;

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Ports the OS just handed out and released: free, and unlikely to be handed out again at once.</summary>
    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    [GeneratedRegex(@"^progress: (?<done>\d+)/\d+ done")]
    private static partial Regex ProgressLine();
}

/// <summary>The cluster process tests start up to four .NET processes each: they run alone, not beside other test classes.</summary>
[CollectionDefinition(nameof(ClusterProcesses), DisableParallelization = true)]
public sealed class ClusterProcesses;
