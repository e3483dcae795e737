using ActorPool.Cli.Commands;
using ActorPool.Cli.Tests.Download;

namespace ActorPool.Cli.Tests.Commands;

public sealed class DemoCommandTests
{
    [Fact]
    public async Task The_demo_must_need_no_setup_and_end_every_file_as_planned()
    {
        using var folder = new DownloadTestFolder();
        var output = new StringWriter();
        var error = new StringWriter();
        var settings = folder.Settings(workers: 4) with { Output = string.Empty, BytesPerSecond = 100_000_000 };

        var exit = await DemoCommand.RunAsync(settings, TextWriter.Synchronized(output), TextWriter.Synchronized(error), new ShutdownSignal()).WaitAsync(TimeSpan.FromSeconds(60));

        var text = output.ToString();
        var notices = error.ToString();
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("Demo check: OK.", text);
        Assert.Contains("flaky.bin: HTTP 503 Service Unavailable; attempt 2/3 in 1.0s", notices);
        Assert.Contains("Successful:           14", text);
        Assert.Contains("Temporary files removed", notices);
        Assert.Contains("Download Results (entries not saved):", text);
    }
}
