using System.Globalization;
using System.Text.RegularExpressions;
using ActorPool.Cli.Demo;
using ActorPool.Cli.Download;
using Microsoft.Extensions.Time.Testing;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ActorPool.Cli.Tests.Download;

public sealed partial class DashboardViewTests
{
    [Fact]
    public void The_dashboard_must_show_one_bar_per_worker_with_queue_and_speed_figures()
    {
        using var folder = new DownloadTestFolder();
        var progress = new DownloadProgress(workers: 2, totalEntries: 5, _ => { });
        var slot = progress.Occupy("big.iso");
        slot.Length = 1000;
        progress.Transferred(slot, 500);
        var view = new DashboardView(progress, folder.Settings(workers: 2));
        view.Add("✓ small.txt done");

        var screen = Draw(view.Render());

        Assert.Contains("Download Manager Dashboard", screen);
        Assert.Contains("Pipeline: Validate → Download → Checksum", screen);
        Assert.Contains("Workers: 1/2 active", screen);
        Assert.Contains("Queue: 0 pending", screen);
        Assert.Matches(@"⚙ Worker 1\s+big\.iso\s+█{12}░{12}\s+50%", screen);
        Assert.Matches(@"⚙ Worker 2\s+idle", screen);
        Assert.Contains("Limit:", screen);
        Assert.Contains("Efficiency:", screen);
        Assert.Contains("✓ small.txt done", screen);
    }

    [Fact]
    public void At_the_start_the_average_must_be_neither_above_the_peak_nor_above_the_limit()
    {
        // Two chunks a millisecond apart, a quarter second after the first request: measured
        // from the first byte, the average was 1,000 MB/s against a 16 MB/s limit.
        using var folder = new DownloadTestFolder();
        var time = new FakeTimeProvider();
        var progress = new DownloadProgress(workers: 1, totalEntries: 1, _ => { }, time);
        var view = new DashboardView(progress, folder.Settings(workers: 1) with { BytesPerSecond = 16_000_000 });
        progress.RequestStarted();
        var slot = progress.Occupy("first.bin");
        time.Advance(TimeSpan.FromMilliseconds(250));
        progress.Transferred(slot, 1_000_000);
        time.Advance(TimeSpan.FromMilliseconds(1));
        progress.Transferred(slot, 1_000_000);

        var screen = Draw(view.Render());

        var average = Speed(screen, "Average");
        Assert.True(average <= Speed(screen, "Peak"), screen);
        Assert.True(average <= 16, screen);
        Assert.Contains("Efficiency: 50%", Regex.Replace(screen, @"\s+", " "));
    }

    [Fact]
    public void After_a_shutdown_signal_the_view_must_show_each_in_flight_file_and_end_without_a_stale_footer()
    {
        using var folder = new DownloadTestFolder();
        var progress = new DownloadProgress(workers: 3, totalEntries: 9, _ => { });
        var view = new DashboardView(progress, folder.Settings(workers: 3));
        var slot = progress.Occupy("big.iso");
        slot.Length = 1000;
        progress.Transferred(slot, 850);
        for (var line = 1; line <= 4; line++)
        {
            progress.LineRead(line);
        }

        progress.BeginShutdown();
        progress.Record(new DownloadJob(new UrlLine(2, "http://x/a")).End(FileOutcome.Dropped, null));
        progress.Record(new DownloadJob(new UrlLine(3, "http://x/b")).End(FileOutcome.Cancelled, "50% complete"));
        progress.Record(new DownloadJob(new UrlLine(4, "http://x/c")).End(FileOutcome.Dropped, null));

        var waiting = Draw(view.Render());
        progress.Free(slot);
        progress.Record(new DownloadJob(new UrlLine(1, "http://x/big.iso")));
        progress.Complete();
        var final = Draw(view.Render());

        Assert.Contains("⏳ Waiting for 1 in-flight download to complete...", waiting);
        Assert.Matches(@"big\.iso\s+█{20}░{4}\s+85%\s+continuing\.\.\.", waiting);
        Assert.DoesNotContain("idle", waiting);
        Assert.Contains("Ctrl+C again cancels them now", waiting);
        Assert.DoesNotContain("Ctrl+C", final);
        Assert.DoesNotContain("Waiting for", final);
        Assert.Contains("Stopped. The summary follows.", final);
        Assert.Matches(@"Cancelled:\s+1 file\b", final);
        Assert.Matches(@"Dropped:\s+7 files", final);
        var summary = new StringWriter();
        DownloadSummary.From(progress, TimeSpan.FromSeconds(1)).Write(summary);
        Assert.Matches(@"Cancelled:\s+1 file\b", summary.ToString());
        Assert.Matches(@"Queued dropped:\s+7 files", summary.ToString());
        Assert.Matches(@"In-flight done:\s+1 file\b", summary.ToString());
        Assert.Matches(@"Successful:\s+1 file\b", final);
    }

    [Fact]
    public async Task A_dashboard_run_must_end_with_a_results_table_and_figures_that_match_the_summary()
    {
        ServedFile good = new("good.bin", 300_000), corrupt = new("corrupt.bin", 200_000), present = new("present.bin", 10_000);
        await using var server = await FileServer.StartAsync([good, corrupt, present]);
        using var folder = new DownloadTestFolder();
        Directory.CreateDirectory(folder.Output);
        await File.WriteAllBytesAsync(Path.Combine(folder.Output, present.Name), [.. present.Chunks(64 * 1024).SelectMany(c => c.ToArray())]);
        folder.WriteUrls(
            $"{server.UrlOf(good.Name)} {good.Sha256}",
            $"{server.UrlOf(corrupt.Name)} {new string('0', 64)}",
            $"{server.UrlOf("missing.bin")}",
            "ftp://nope/x",
            $"{server.UrlOf(present.Name)} {present.Sha256}");
        var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(screen), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        var output = new StringWriter();

        var summary = await DownloadRunner.RunAsync(folder.Settings() with { Dashboard = true }, TextWriter.Synchronized(output), console, new ShutdownSignal()).WaitAsync(TimeSpan.FromSeconds(30));

        var text = output.ToString();
        var frames = screen.ToString();
        var last = frames[frames.LastIndexOf("Download Manager Dashboard", StringComparison.Ordinal)..];
        Assert.Equal((1L, 1L, 2L, 1L), (summary.Succeeded, summary.Skipped, summary.Failed, summary.Invalid));
        Assert.Matches(@"Successful:\s+1 file\b", last);
        Assert.Matches(@"Skipped:\s+1 file\b", last);
        Assert.Matches(@"Failed:\s+2 files", last);
        Assert.Matches(@"Invalid lines:\s+1\b", last);
        Assert.Matches(@"Total size:\s+300\.0 KB", last);
        Assert.Matches(@"Transferred:\s+500\.0 KB", last);
        Assert.Matches(@"Successful:\s+1\n", text);
        Assert.Matches(@"Skipped:\s+1\n", text);
        Assert.Matches(@"Failed:\s+2\n", text);
        Assert.Matches(@"Invalid lines:\s+1\n", text);
        Assert.Matches(@"Total size:\s+300\.0 KB", text);
        Assert.Matches(@"Transferred:\s+500\.0 KB", text);
        Assert.Contains("Done. The summary follows.", last);

        Assert.Contains("Download Results (entries not saved):", text);
        Assert.Matches(@"failed\s+\|\s+2 \| http://\S+/files/corrupt\.bin\s+\| checksum mismatch", text);
        Assert.Matches(@"failed\s+\|\s+3 \| http://\S+/files/missing\.bin\s+\| HTTP 404 Not Found", text);
        Assert.Matches(@"invalid\s+\|\s+4 \| ftp://nope/x\s+\| 'ftp://nope/x' is not an absolute http or https URL", text);
        Assert.DoesNotContain("good.bin  ", text[text.IndexOf("Download Results", StringComparison.Ordinal)..]);
        Assert.Single(Regex.Matches(text + last, "Pipeline:"));
    }

    private static string Draw(IRenderable renderable)
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 160;
        console.Write(renderable);
        return text.ToString();
    }

    private static double Speed(string screen, string label) =>
        double.Parse(Regex.Match(screen, label + @":\s+([\d.]+) MB/s").Groups[1].Value, CultureInfo.InvariantCulture);
}
