using ActorPool.Cli.Download;
using Spectre.Console;

namespace ActorPool.Cli.Tests.Download;

public sealed class DashboardViewTests
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
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });

        console.Write(view.Render());

        var screen = text.ToString();
        Assert.Contains("Download Manager Dashboard", screen);
        Assert.Contains("Pipeline: Validate → Download → Checksum", screen);
        Assert.Contains("Workers: 1/2 active", screen);
        Assert.Contains("Queue: 0 pending", screen);
        Assert.Matches(@"⚙ Worker 1\s+big\.iso\s+█{12}░{12}\s+50%", screen);
        Assert.Matches(@"⚙ Worker 2\s+idle", screen);
        Assert.Contains("Limit:", screen);
        Assert.Contains("✓ small.txt done", screen);
    }
}
