using System.Diagnostics;
using System.Text.RegularExpressions;
using ActorPool.Cli.Commands;
using ActorPool.Cli.Tests.Commands;

namespace ActorPool.Cli.Tests;

public sealed partial class RunCommandTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Run_must_report_every_task_once_and_exit_zero_when_all_succeed()
    {
        var output = new StringWriter();

        var exit = await RunCommand.RunAsync(new RunSettings(Tasks: 500, Workers: 4, Queue: 50, DelayMs: 0, FailureRate: 0), output, CancellationToken.None);

        Assert.Equal(ExitCodes.Success, exit);
        var counts = ParseCounts(output.ToString());
        Assert.Equal(500, counts["succeeded"]);
        Assert.Equal(500, counts.Values.Sum());
        Assert.Matches(@"throughput\s+\d+ tasks/s", output.ToString());
    }

    [Fact]
    public async Task Run_must_count_failures_exactly_and_exit_one()
    {
        var output = new StringWriter();

        var exit = await RunCommand.RunAsync(new RunSettings(Tasks: 400, Workers: 3, Queue: 0, DelayMs: 0, FailureRate: 0.25), output, CancellationToken.None);

        Assert.Equal(ExitCodes.SomeFailed, exit);
        var counts = ParseCounts(output.ToString());
        Assert.Equal(100, counts["failed"]);
        Assert.Equal(300, counts["succeeded"]);
    }

    [Fact]
    public async Task Bad_usage_must_exit_two_and_name_the_bad_value()
    {
        var (exit, _, error) = await RunCliAsync("run", "--workers", "-3");

        Assert.Equal(ExitCodes.BadUsage, exit);
        Assert.Contains("--workers must be a whole number from 1 to 10,000, was: '-3'.", error);
    }

    private static Dictionary<string, int> ParseCounts(string output) =>
        CountLine().Matches(output).ToDictionary(m => m.Groups["name"].Value, m => int.Parse(m.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture));

    private static Process StartCli(params string[] args) =>
        Process.Start(CliProcess.StartInfo(null, args)) ?? throw new InvalidOperationException("could not start the CLI");

    private static async Task<(int Exit, string Output, string Error)> RunCliAsync(params string[] args)
    {
        using var process = StartCli(args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Patience);
        return (process.ExitCode, await output, await error);
    }

    [GeneratedRegex(@"^\s+(?<name>succeeded|failed|cancelled|timed out|dropped|not submitted)\s+(?<count>\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex CountLine();
}
