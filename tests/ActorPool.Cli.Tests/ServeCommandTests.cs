using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ActorPool.Cli.Commands;
using ActorPool.Cli.Tests.Commands;
using ActorPool.Cli.Web;

namespace ActorPool.Cli.Tests;

/// <summary>Runs <c>actorpool serve</c> as a real process and stops it the way a service manager does.</summary>
public sealed partial class ServeCommandTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _config = Path.Combine(Path.GetTempPath(), $"actorpool-serve-{Guid.NewGuid():N}.conf");

    public ServeCommandTests() => File.WriteAllText(_config, """
        actor-pool {
          workers = 2
          shutdown-timeout = 20s
        }
        """);

    public void Dispose() => File.Delete(_config);

    [Fact]
    public async Task Sigterm_must_drain_the_pool_print_a_summary_that_adds_up_and_exit_zero()
    {
        using var serve = StartCli(null, "serve", "--config", _config, "--interval-ms", "20", "--delay-ms", "200");
        var error = serve.StandardError.ReadToEndAsync();
        var ready = await ReadUntilAsync(serve.StandardOutput, line => line.StartsWith(ServeCommand.ReadyLine, StringComparison.Ordinal));
        Assert.Contains("2 workers", ready);

        var clock = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", $"-TERM {serve.Id}"))
        {
            await kill.WaitForExitAsync().WaitAsync(Patience);
        }

        var rest = await serve.StandardOutput.ReadToEndAsync().WaitAsync(Patience);
        await serve.WaitForExitAsync().WaitAsync(Patience);
        clock.Stop();

        Assert.True(serve.ExitCode == ExitCodes.Success, $"exit {serve.ExitCode}; stderr: {await error}");
        Assert.Contains("ActorPool serve: pool serve stopped", rest);
        var counts = CountLine().Matches(rest).ToDictionary(m => m.Groups["name"].Value, m => long.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture));
        Assert.True(counts["succeeded"] >= 1, rest);
        Assert.Equal(0, counts["timed out"]);
        Assert.Equal(0, counts["cancelled"]);
        Assert.Equal(counts["submitted"], counts.Where(c => c.Key != "submitted").Sum(c => c.Value));
        Assert.Contains("Pool serve stopped", await error);
        Assert.True(clock.Elapsed < Patience, $"stop took {clock.Elapsed}");
    }

    [Fact]
    public async Task Serve_with_a_schedule_must_run_it_at_its_times_and_count_its_runs_in_the_summary()
    {
        using var serve = StartCli(null, "serve", "--config", _config, "--interval-ms", "0", "--schedule", "* * * * * *");
        var ready = await ReadUntilAsync(serve.StandardOutput, line => line.StartsWith("actorpool serve: schedule heartbeat", StringComparison.Ordinal));
        Assert.Contains("'* * * * * *' (UTC), next run", ready);
        await ReadUntilAsync(serve.StandardError, line => line.StartsWith(ServeCommand.HeartbeatLine, StringComparison.Ordinal));
        await ReadUntilAsync(serve.StandardError, line => line.StartsWith(ServeCommand.HeartbeatLine, StringComparison.Ordinal));
        var error = serve.StandardError.ReadToEndAsync();

        using (var kill = Process.Start("kill", $"-TERM {serve.Id}"))
        {
            await kill.WaitForExitAsync().WaitAsync(Patience);
        }

        var rest = await serve.StandardOutput.ReadToEndAsync().WaitAsync(Patience);
        await serve.WaitForExitAsync().WaitAsync(Patience);

        Assert.True(serve.ExitCode == ExitCodes.Success, $"exit {serve.ExitCode}; stderr: {await error}");
        var runs = long.Parse(ScheduleLine().Match(rest).Groups["runs"].Value, CultureInfo.InvariantCulture);
        Assert.True(runs >= 2, rest);
        var counts = CountLine().Matches(rest).ToDictionary(m => m.Groups["name"].Value, m => long.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture));
        Assert.Equal(counts["submitted"], counts.Where(c => c.Key != "submitted").Sum(c => c.Value));
        Assert.Equal(0, counts["failed"] + counts["timed out"] + counts["cancelled"] + counts["dropped"]);
        Assert.True(counts["succeeded"] >= runs - 1, rest); // a run the stop came in the middle of may be refused
    }

    [Fact]
    public async Task A_bad_schedule_must_exit_two_naming_it_without_a_stack_trace()
    {
        using var serve = StartCli(null, "serve", "--interval-ms", "0", "--schedule", "every minute");
        var output = serve.StandardOutput.ReadToEndAsync();
        var error = serve.StandardError.ReadToEndAsync();
        await serve.WaitForExitAsync().WaitAsync(Patience);

        Assert.Equal(ExitCodes.BadUsage, serve.ExitCode);
        Assert.Contains("'every minute'", await error);
        Assert.DoesNotContain("   at ", await error);
        Assert.DoesNotContain(ServeCommand.ReadyLine, await output);
    }

    [Fact]
    public async Task An_invalid_configured_value_must_exit_two_naming_the_key_and_value()
    {
        using var serve = StartCli(new Dictionary<string, string> { ["ActorPool__serve__Workers"] = "0" }, "serve", "--interval-ms", "0");
        var output = serve.StandardOutput.ReadToEndAsync();
        var error = serve.StandardError.ReadToEndAsync();
        await serve.WaitForExitAsync().WaitAsync(Patience);

        Assert.Equal(ExitCodes.BadUsage, serve.ExitCode);
        Assert.Contains("ActorPool:serve:Workers", await error);
        Assert.Contains("was: 0", await error);
        Assert.DoesNotContain(ServeCommand.ReadyLine, await output);
    }

    [Fact]
    public async Task Serve_with_a_dashboard_must_show_the_pool_its_failed_tasks_with_retry_and_metrics_then_drain_on_sigterm()
    {
        using var serve = StartCli(null, "serve", "--config", _config, "--interval-ms", "10", "--delay-ms", "0", "--dashboard", "127.0.0.1:0");
        var error = serve.StandardError.ReadToEndAsync();
        await ReadUntilAsync(serve.StandardOutput, line => line.StartsWith(ServeCommand.ReadyLine, StringComparison.Ordinal));
        var line = await ReadUntilAsync(serve.StandardOutput, line => line.StartsWith(DashboardServer.ReadyLine, StringComparison.Ordinal));
        var dashboard = new Uri(line[DashboardServer.ReadyLine.Length..].Split(' ')[0]);
        using var http = new HttpClient { Timeout = Patience };

        var overview = await http.GetStringAsync(dashboard);
        var failed = await EventuallyAsync(async () => FailedRow().Match(await http.GetStringAsync(new Uri(dashboard, "pools/serve?outcome=failed"))));
        var task = await http.GetStringAsync(new Uri(dashboard, $"pools/serve/tasks/{failed.Groups["id"].Value}"));
        var metrics = await http.GetStringAsync(new Uri(dashboard, "/metrics"));
        using (var kill = Process.Start("kill", $"-TERM {serve.Id}"))
        {
            await kill.WaitForExitAsync().WaitAsync(Patience);
        }

        var rest = await serve.StandardOutput.ReadToEndAsync().WaitAsync(Patience);
        await serve.WaitForExitAsync().WaitAsync(Patience);

        Assert.Contains("data-pool=\"serve\"", overview, StringComparison.Ordinal);
        Assert.Contains("the downstream service answered 503", task, StringComparison.Ordinal);
        Assert.Contains("id=\"retry\"", task, StringComparison.Ordinal);
        Assert.Matches("actorpool_tasks_submitted_total\\{[^}]*actorpool_pool=\"serve\"[^}]*\\} [1-9]", metrics);
        Assert.True(serve.ExitCode == ExitCodes.Success, $"exit {serve.ExitCode}; stderr: {await error}");
        var counts = CountLine().Matches(rest).ToDictionary(m => m.Groups["name"].Value, m => long.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture));
        Assert.True(counts["failed"] >= 1, rest);
        Assert.Equal(counts["submitted"], counts.Where(c => c.Key != "submitted").Sum(c => c.Value));
        Assert.DoesNotContain("   at ", await error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dashboard_address_that_is_bad_or_taken_must_exit_two_with_one_line_naming_it()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        using var bad = StartCli(null, "serve", "--interval-ms", "0", "--dashboard", "example.org:80");
        using var busy = StartCli(null, "serve", "--interval-ms", "0", "--dashboard", $"127.0.0.1:{port}");
        var badError = bad.StandardError.ReadToEndAsync();
        var busyError = busy.StandardError.ReadToEndAsync();
        await Task.WhenAll(bad.WaitForExitAsync(), busy.WaitForExitAsync()).WaitAsync(Patience);

        Assert.Equal(ExitCodes.BadUsage, bad.ExitCode);
        Assert.Contains("'example.org:80'", await badError, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadUsage, busy.ExitCode);
        Assert.Contains($"cannot serve the dashboard on 127.0.0.1:{port}", await busyError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", await busyError, StringComparison.Ordinal);
    }

    private static async Task<Match> EventuallyAsync(Func<Task<Match>> attempt)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var match = await attempt();
            if (match.Success)
            {
                return match;
            }

            Assert.True(DateTime.UtcNow < deadline, "no failed task listed on the dashboard");
            await Task.Delay(50);
        }
    }

    [GeneratedRegex("<tr data-task-id=\"(?<id>\\d+)\">")]
    private static partial Regex FailedRow();

    private static async Task<string> ReadUntilAsync(StreamReader reader, Func<string, bool> match)
    {
        while (await reader.ReadLineAsync().WaitAsync(Patience) is { } line)
        {
            if (match(line))
            {
                return line;
            }
        }

        throw new InvalidOperationException("the process closed stdout before the expected line");
    }

    private static Process StartCli(IDictionary<string, string>? environment, params string[] args) =>
        Process.Start(CliProcess.StartInfo(environment, args)) ?? throw new InvalidOperationException("could not start the CLI");

    [GeneratedRegex(@"^\s+schedule heartbeat: (?<runs>\d+) runs", RegexOptions.Multiline)]
    private static partial Regex ScheduleLine();

    [GeneratedRegex(@"^\s+(?<name>submitted|succeeded|failed|cancelled|timed out|dropped|rejected)\s+(?<count>\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex CountLine();
}
