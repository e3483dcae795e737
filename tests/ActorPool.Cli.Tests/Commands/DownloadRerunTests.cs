using System.Security.Cryptography;
using ActorPool.Cli.Commands;
using ActorPool.Cli.Demo;
using ActorPool.Cli.Tests.Download;

namespace ActorPool.Cli.Tests.Commands;

/// <summary>A second run into the same folder, as a user re-runs <c>actorpool download</c>: nothing is clobbered silently.</summary>
public sealed class DownloadRerunTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_second_run_must_skip_files_already_present_without_a_request_and_never_replace_a_different_one()
    {
        ServedFile withSum = new("with-sum.bin", 200_000), noSum = new("no-sum.bin", 100_000), changed = new("changed.bin", 100_000);
        await using var server = await FileServer.StartAsync([withSum, noSum, changed]);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls($"{server.UrlOf(withSum.Name)} {withSum.Sha256}", $"{server.UrlOf(noSum.Name)}", $"{server.UrlOf(changed.Name)} {changed.Sha256}");
        string[] args = ["download", "--urls", folder.UrlFile, "--output", folder.Output];
        using (var first = CliProcess.Start(args))
        {
            Assert.Equal(ExitCodes.Success, await first.WaitForExitAsync(Patience));
        }

        var local = Path.Combine(folder.Output, changed.Name);
        await File.WriteAllTextAsync(local, "edited by hand");
        var noSumWritten = File.GetLastWriteTimeUtc(Path.Combine(folder.Output, noSum.Name));

        using var second = CliProcess.Start(args);
        var exit = await second.WaitForExitAsync(Patience);

        Assert.Equal(ExitCodes.SomeFailed, exit);
        Assert.Equal(1, server.RequestsFor(withSum.Name));
        Assert.Equal(1, server.RequestsFor(noSum.Name));
        Assert.Equal(1, server.RequestsFor(changed.Name));
        Assert.Equal("edited by hand", await File.ReadAllTextAsync(local));
        Assert.Equal(noSumWritten, File.GetLastWriteTimeUtc(Path.Combine(folder.Output, noSum.Name)));
        Assert.Contains("with-sum.bin", second.Output);
        Assert.Contains("[already present, SHA-256 matches]", second.Output);
        Assert.Contains("[already present; --overwrite replaces it]", second.Output);
        Assert.Contains("changed.bin is already present with a different SHA-256", second.Output);
        Assert.Contains("Skipped:               2", second.Output);
        Assert.Contains("Failed:                1", second.Output);
    }

    [Fact]
    public async Task Overwrite_must_replace_a_present_file()
    {
        ServedFile file = new("replace.bin", 50_000);
        await using var server = await FileServer.StartAsync([file]);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(server, [file]);
        Directory.CreateDirectory(folder.Output);
        await File.WriteAllTextAsync(Path.Combine(folder.Output, file.Name), "stale");

        using var cli = CliProcess.Start("download", "--urls", folder.UrlFile, "--output", folder.Output, "--overwrite", "--verify");
        var exit = await cli.WaitForExitAsync(Patience);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal(file.Sha256, Sha256Of(Path.Combine(folder.Output, file.Name)));
    }

    [Fact]
    public async Task Continue_must_keep_the_part_of_an_interrupted_download_and_resume_it_with_a_range_request()
    {
        var never = new TaskCompletionSource();
        var halfway = new Countdown(1);
        ServedFile held = new("resume.bin", 400_000) { HoldHalfwayUntil = never.Task, OnHalfway = halfway.Signal };
        await using (var stalling = await FileServer.StartAsync([held]))
        {
            using var folder = new DownloadTestFolder();
            folder.WriteUrls(stalling, [held]);
            using var first = CliProcess.Start("download", "--urls", folder.UrlFile, "--output", folder.Output, "--continue", "--grace-period", "10m");
            await halfway.Reached.WaitAsync(Patience);
            // The server has sent half; interrupt once some of it is on disk, as a user who saw progress would.
            var part = Path.Combine(folder.Output, "resume.bin.part");
            await TestSignals.EventuallyAsync(() => File.Exists(part) && new FileInfo(part).Length > 0, () => "no bytes of resume.bin reached " + part, Patience);
            await first.SignalAsync("INT");
            await first.WaitForLineAsync(line => line.StartsWith("Shutdown signal received", StringComparison.Ordinal)).WaitAsync(Patience);
            await first.SignalAsync("INT");
            Assert.Equal(ExitCodes.Interrupted, await first.WaitForExitAsync(Patience));

            Assert.True(File.Exists(part), first.Output + first.Error);
            var kept = new FileInfo(part).Length;
            Assert.InRange(kept, 1, held.Size - 1);
            Assert.Contains("kept resume.bin.part for --continue", first.Output);

            // The same file, served without stalling this time.
            await using var server = await FileServer.StartAsync([held with { HoldHalfwayUntil = null, OnHalfway = null }]);
            folder.WriteUrls(server, [held]);
            using var second = CliProcess.Start("download", "--urls", folder.UrlFile, "--output", folder.Output, "--continue", "--verify");
            var exit = await second.WaitForExitAsync(Patience);

            Assert.True(exit == ExitCodes.Success, second.Output + second.Error);
            Assert.Equal([kept], server.RangesFor(held.Name));
            Assert.Equal(held.Sha256, Sha256Of(Path.Combine(folder.Output, held.Name)));
            Assert.Empty(folder.PartialFiles());
        }
    }

    [Fact]
    public async Task Continue_must_fall_back_to_a_full_download_when_the_server_ignores_ranges()
    {
        ServedFile file = new("no-ranges.bin", 300_000) { AcceptRanges = false };
        await using var server = await FileServer.StartAsync([file]);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(server, [file]);
        Directory.CreateDirectory(folder.Output);
        await File.WriteAllBytesAsync(Path.Combine(folder.Output, "no-ranges.bin.part"), new byte[1000]);

        using var cli = CliProcess.Start("download", "--urls", folder.UrlFile, "--output", folder.Output, "--continue", "--verify");
        var exit = await cli.WaitForExitAsync(Patience);

        Assert.True(exit == ExitCodes.Success, cli.Output + cli.Error);
        Assert.Contains("the server ignored the Range request; downloading in full", cli.Error);
        Assert.Equal(file.Sha256, Sha256Of(Path.Combine(folder.Output, file.Name)));
        Assert.Empty(folder.PartialFiles());
    }

    private static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
