using ActorPool.Cli.Commands;
using ActorPool.Cli.Demo;
using ActorPool.Cli.Tests.Download;

namespace ActorPool.Cli.Tests.Commands;

/// <summary>The small things a new user meets first: help text, shared short options, where lines go, plurals.</summary>
public sealed class CliUsageTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Help_must_show_durations_the_way_the_parser_reads_them()
    {
        using var cli = CliProcess.Start("download", "--help");

        Assert.Equal(ExitCodes.Success, await cli.WaitForExitAsync(Patience));
        Assert.Contains("[default: 30s]", cli.Output);
        Assert.Contains("[default: 10s]", cli.Output);
        Assert.DoesNotContain("00:00:", cli.Output);
    }

    [Fact]
    public async Task Run_must_take_q_for_the_queue_like_download()
    {
        using var cli = CliProcess.Start("run", "--tasks", "20", "-q", "5", "--delay-ms", "0");

        Assert.Equal(ExitCodes.Success, await cli.WaitForExitAsync(Patience));
        Assert.Contains("(queue 5,", cli.Output);
    }

    [Fact]
    public async Task Notices_must_go_to_stderr_and_results_to_stdout_with_singular_counts()
    {
        ServedFile flaky = new("flaky.bin", 20_000) { FailFirst = 1, FailStatus = 503 };
        await using var server = await FileServer.StartAsync([flaky]);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(server, [flaky]);

        using var cli = CliProcess.Start("download", "--urls", folder.UrlFile, "--output", folder.Output, "--dashboard");
        var exit = await cli.WaitForExitAsync(Patience);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("⚠ flaky.bin: HTTP 503 Service Unavailable; attempt 2/3", cli.Error);
        Assert.Contains("stdout is not a terminal", cli.Error);
        Assert.DoesNotContain("⚠", cli.Output);
        Assert.Contains("✓ flaky.bin", cli.Output);
        Assert.Contains("(1 entry)", cli.Output);
        Assert.Contains("3 attempts; grace period", cli.Output);
        Assert.DoesNotContain("1 entries", cli.Output);
    }
}
