using ActorPool.Cli.Commands;
using ActorPool.Cli.Demo;
using ActorPool.Cli.Tests.Download;

namespace ActorPool.Cli.Tests.Commands;

/// <summary><c>actorpool download</c> run as a real process against a real Kestrel server.</summary>
public sealed class DownloadCommandTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("--urls", "/no/such/urls.txt", "--urls file not found: '/no/such/urls.txt'.")]
    [InlineData("--urls", "/tmp", "--urls must be a file, was a folder: '/tmp'.")]
    [InlineData("--rate-limit", "-1", "--rate-limit must be a number from 0 to 100,000, was: '-1'.")]
    [InlineData("--timeout", "soon", "--timeout must be a duration above 0 and below 1 day such as 500ms, 30s or 2m, was: 'soon'.")]
    [InlineData("--workers", "0", "--workers must be a whole number from 1 to 256, was: '0'.")]
    [InlineData("--report", "/dev/null/report.json", "--report file cannot be created: '/dev/null/report.json'")]
    [InlineData("--output", "/dev/null/out", "--output folder cannot be created: '/dev/null/out'")]
    public async Task Bad_usage_must_exit_two_and_name_the_bad_value(string option, string value, string message)
    {
        using var folder = new DownloadTestFolder();
        folder.WriteUrls("http://127.0.0.1:9/x");
        string[] args = option == "--urls" ? ["download", option, value] : ["download", "--urls", folder.UrlFile, option, value];
        using var cli = CliProcess.Start(args);

        var exit = await cli.WaitForExitAsync(Patience);

        Assert.Equal(ExitCodes.BadUsage, exit);
        Assert.StartsWith(message, Assert.Single(cli.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task A_run_where_every_file_succeeds_must_exit_zero()
    {
        ServedFile[] files = [new("one.bin", 100_000), new("two.bin", 150_000)];
        await using var server = await FileServer.StartAsync(files);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(server, files);
        using var cli = CliProcess.Start("download", "--urls", folder.UrlFile, "--output", folder.Output, "--verify", "--pipeline", "--dashboard");

        var exit = await cli.WaitForExitAsync(Patience);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("stdout is not a terminal: plain lines instead of the dashboard.", cli.Error);
        Assert.DoesNotContain("plain lines instead", cli.Output);
        Assert.Contains("Successful:            2", cli.Output);
        Assert.Equal(["one.bin", "two.bin"], folder.SavedFiles());
    }

    [Fact]
    public async Task Sigint_must_let_in_flight_downloads_finish_then_print_the_shutdown_summary_and_exit_130()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var halfway = new Countdown(2);
        var files = Enumerable.Range(1, 6).Select(i => new ServedFile($"p{i}.bin", 300_000) { HoldHalfwayUntil = release.Task, OnHalfway = halfway.Signal }).ToArray();
        await using var server = await FileServer.StartAsync(files);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(server, files);
        using var cli = CliProcess.Start("download", "--urls", folder.UrlFile, "--output", folder.Output, "--workers", "2", "--queue", "2", "--grace-period", "20s", "--verify");

        await halfway.Reached.WaitAsync(Patience);
        await cli.SignalAsync("INT");
        await cli.WaitForLineAsync(line => line.StartsWith("Shutdown signal received", StringComparison.Ordinal)).WaitAsync(Patience);
        release.SetResult();
        var exit = await cli.WaitForExitAsync(Patience);

        Assert.Equal(ExitCodes.Interrupted, exit);
        Assert.Contains("Shutdown Summary:", cli.Output);
        Assert.Contains("In-flight done:        2 files", cli.Output);
        Assert.Contains("Cancelled:             0 files", cli.Output);
        Assert.Contains("Queued dropped:        4 files", cli.Output);
        Assert.Equal(["p1.bin", "p2.bin"], folder.SavedFiles());
        Assert.Empty(folder.PartialFiles());
    }

    [Fact]
    public async Task A_second_sigint_must_cancel_in_flight_downloads_at_once_and_leave_no_partial_files()
    {
        var never = new TaskCompletionSource();
        var halfway = new Countdown(2);
        var files = Enumerable.Range(1, 3).Select(i => new ServedFile($"q{i}.bin", 300_000) { HoldHalfwayUntil = never.Task, OnHalfway = halfway.Signal }).ToArray();
        await using var server = await FileServer.StartAsync(files);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(server, files);
        using var cli = CliProcess.Start("download", "--urls", folder.UrlFile, "--output", folder.Output, "--workers", "2", "--grace-period", "10m");

        await halfway.Reached.WaitAsync(Patience);
        await cli.SignalAsync("INT");
        await cli.WaitForLineAsync(line => line.StartsWith("Shutdown signal received", StringComparison.Ordinal)).WaitAsync(Patience);
        await cli.SignalAsync("INT");
        var exit = await cli.WaitForExitAsync(Patience);

        Assert.Equal(ExitCodes.Interrupted, exit);
        Assert.Contains("Second signal: cancelling in-flight downloads now.", cli.Error);
        Assert.Contains("Cancelled:             2 files", cli.Output);
        Assert.Contains("Queued dropped:        1 file", cli.Output);
        Assert.Empty(folder.SavedFiles());
        Assert.Empty(folder.PartialFiles());
    }

    [Fact]
    public async Task Sigterm_must_stop_as_gracefully_as_sigint()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var halfway = new Countdown(1);
        var files = Enumerable.Range(1, 2).Select(i => new ServedFile($"t{i}.bin", 300_000) { HoldHalfwayUntil = release.Task, OnHalfway = halfway.Signal }).ToArray();
        await using var server = await FileServer.StartAsync(files);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(server, files);
        using var cli = CliProcess.Start("download", "--urls", folder.UrlFile, "--output", folder.Output, "--workers", "1");

        await halfway.Reached.WaitAsync(Patience);
        await cli.SignalAsync("TERM");
        await cli.WaitForLineAsync(line => line.StartsWith("Shutdown signal received", StringComparison.Ordinal)).WaitAsync(Patience);
        release.SetResult();
        var exit = await cli.WaitForExitAsync(Patience);

        Assert.Equal(ExitCodes.Interrupted, exit);
        Assert.Contains("In-flight done:        1 file", cli.Output);
        Assert.Equal(["t1.bin"], folder.SavedFiles());
    }
}
