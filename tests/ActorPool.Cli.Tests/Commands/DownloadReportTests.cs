using System.Text.Json;
using ActorPool.Cli.Commands;
using ActorPool.Cli.Demo;
using ActorPool.Cli.Tests.Download;

namespace ActorPool.Cli.Tests.Commands;

/// <summary><c>--report FILE</c> and <c>--urls -</c>, through the real process.</summary>
public sealed class DownloadReportTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_report_must_list_every_entry_with_its_status_and_the_totals_for_a_list_read_from_stdin()
    {
        ServedFile good = new("good.bin", 120_000), corrupt = new("corrupt.bin", 50_000), present = new("present.bin", 10_000);
        await using var server = await FileServer.StartAsync([good, corrupt, present]);
        using var folder = new DownloadTestFolder();
        Directory.CreateDirectory(folder.Output);
        await File.WriteAllBytesAsync(Path.Combine(folder.Output, present.Name), present.Chunks(64 * 1024).SelectMany(c => c.ToArray()).ToArray());
        var report = Path.Combine(folder.Root, "report.json");
        var list = string.Join('\n',
            "# from stdin",
            $"{server.UrlOf(good.Name)} {good.Sha256}",
            $"{server.UrlOf(corrupt.Name)} {new string('0', 64)}",
            $"{server.UrlOf("missing.bin")}",
            "not a url",
            $"{server.UrlOf(present.Name)} {present.Sha256}");

        using var cli = CliProcess.StartWithInput(list, "download", "--urls", "-", "--output", folder.Output, "--verify", "--report", report);
        var exit = await cli.WaitForExitAsync(Patience);

        Assert.True(exit == ExitCodes.SomeFailed, cli.Output + cli.Error);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var root = json.RootElement;
        Assert.Equal("-", root.GetProperty("urlFile").GetString());
        var entries = root.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("line").GetInt32());
        Assert.Equal([2, 3, 4, 5, 6], entries.Keys.Order());
        Assert.Equal("saved", entries[2].GetProperty("status").GetString());
        Assert.Equal(server.UrlOf(good.Name).ToString(), entries[2].GetProperty("url").GetString());
        Assert.Equal(Path.GetFullPath(Path.Combine(folder.Output, good.Name)), entries[2].GetProperty("path").GetString());
        Assert.Equal(good.Size, entries[2].GetProperty("bytes").GetInt64());
        Assert.Equal(1, entries[2].GetProperty("attempts").GetInt32());
        Assert.Equal(good.Sha256, entries[2].GetProperty("sha256").GetString());
        Assert.Equal(JsonValueKind.Null, entries[2].GetProperty("error").ValueKind);
        Assert.True(entries[2].GetProperty("durationMs").GetDouble() > 0);
        Assert.Equal("failed", entries[3].GetProperty("status").GetString());
        Assert.StartsWith("checksum mismatch", entries[3].GetProperty("error").GetString());
        Assert.Equal("failed", entries[4].GetProperty("status").GetString());
        Assert.Equal("HTTP 404 Not Found", entries[4].GetProperty("error").GetString());
        Assert.Equal("invalid", entries[5].GetProperty("status").GetString());
        Assert.Equal("not a url", entries[5].GetProperty("url").GetString());
        Assert.Equal("skipped", entries[6].GetProperty("status").GetString());
        Assert.Equal(present.Sha256, entries[6].GetProperty("sha256").GetString());
        var totals = root.GetProperty("totals");
        Assert.Equal((5, 1, 1, 2, 1, 0, 0), (
            totals.GetProperty("entries").GetInt32(),
            totals.GetProperty("saved").GetInt32(),
            totals.GetProperty("skipped").GetInt32(),
            totals.GetProperty("failed").GetInt32(),
            totals.GetProperty("invalid").GetInt32(),
            totals.GetProperty("cancelled").GetInt32(),
            totals.GetProperty("dropped").GetInt32()));
        Assert.Equal(good.Size, totals.GetProperty("savedBytes").GetInt64());
        Assert.Equal(ExitCodes.SomeFailed, totals.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task An_empty_url_list_must_say_so_on_stderr_and_exit_two()
    {
        using var folder = new DownloadTestFolder();
        folder.WriteUrls("# nothing but a comment", string.Empty);

        using var cli = CliProcess.Start("download", "--urls", folder.UrlFile, "--output", folder.Output);
        var exit = await cli.WaitForExitAsync(Patience);

        Assert.Equal(ExitCodes.BadUsage, exit);
        Assert.Equal($"--urls has no entries (only blank lines or # comments), nothing to download: '{folder.UrlFile}'.", cli.Error);
        Assert.Empty(cli.Output);
    }
}
