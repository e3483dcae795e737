using System.Diagnostics;
using System.Security.Cryptography;
using ActorPool.Cli.Commands;
using ActorPool.Cli.Demo;
using ActorPool.Cli.Download;
using Xunit.Abstractions;

namespace ActorPool.Cli.Tests.Download;

/// <summary>The download pipeline against a real Kestrel server on 127.0.0.1.</summary>
public sealed class DownloadRunnerTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Good_files_must_be_saved_with_verified_bytes_and_bad_ones_must_leave_nothing()
    {
        ServedFile good = new("good.bin", 300_000), corrupt = new("corrupt.bin", 200_000);
        await using var server = await FileServer.StartAsync([good, corrupt]);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(
            "# comment",
            $"{server.UrlOf(good.Name)} {good.Sha256}",
            $"{server.UrlOf(corrupt.Name)} {new string('0', 64)}",
            $"{server.UrlOf("missing.bin")}",
            "ftp://nope/x");
        var output = new StringWriter();

        var summary = await DownloadRunner.RunAsync(folder.Settings(), output, null, new ShutdownSignal()).WaitAsync(Patience);

        Assert.Equal(["good.bin"], folder.SavedFiles());
        Assert.Empty(folder.PartialFiles());
        Assert.Equal(good.Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(folder.Output, "good.bin")))));
        Assert.Equal((4, 1L, 2L, 1L), (summary.TotalEntries, summary.Succeeded, summary.Failed, summary.Invalid));
        Assert.Equal(good.Size, summary.SavedBytes);
        Assert.Equal(ExitCodes.SomeFailed, summary.ExitCode);
        var text = output.ToString();
        Assert.Contains("✓ good.bin", text);
        Assert.Contains("checksum mismatch", text);
        Assert.Contains("missing.bin              Error: HTTP 404 Not Found", text);
        Assert.Contains("✗ line 5: 'ftp://nope/x' is not an absolute http or https URL", text);
        Assert.Equal(1, server.RequestsFor("missing.bin"));
        Assert.Equal(1, server.RequestsFor(corrupt.Name));
    }

    [Fact]
    public async Task Transient_failures_must_be_retried_and_counted_until_attempts_run_out()
    {
        ServedFile flaky = new("flaky.bin", 50_000) { FailFirst = 2, FailStatus = 503 };
        ServedFile down = new("down.bin", 50_000) { FailFirst = 100, FailStatus = 500 };
        await using var server = await FileServer.StartAsync([flaky, down]);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(server, [flaky, down]);
        var output = new StringWriter();

        var summary = await DownloadRunner.RunAsync(folder.Settings(), output, null, new ShutdownSignal()).WaitAsync(Patience);

        Assert.Equal(3, server.RequestsFor(flaky.Name));
        Assert.Equal(3, server.RequestsFor(down.Name));
        Assert.Equal(["flaky.bin"], folder.SavedFiles());
        Assert.Equal((1L, 1L), (summary.Succeeded, summary.Failed));
        Assert.Contains("[✓ checksum verified] (3 attempts)", output.ToString());
        Assert.DoesNotContain("attempts (3 attempts)", output.ToString());
        Assert.Contains("down.bin                 Error: HTTP 500 Internal Server Error; gave up after 3 attempts", output.ToString());
    }

    [Fact]
    public async Task The_per_file_timeout_must_fail_a_stalled_download_without_leaving_a_partial_file()
    {
        var never = new TaskCompletionSource();
        ServedFile stalled = new("stalled.bin", 100_000) { HoldHalfwayUntil = never.Task };
        ServedFile fine = new("fine.bin", 10_000);
        await using var server = await FileServer.StartAsync([stalled, fine]);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(server, [stalled, fine]);
        var output = new StringWriter();

        var summary = await DownloadRunner.RunAsync(folder.Settings() with { Timeout = TimeSpan.FromMilliseconds(300) }, TextWriter.Synchronized(output), null, new ShutdownSignal()).WaitAsync(Patience);

        Assert.Equal((1L, 1L), (summary.Succeeded, summary.Failed));
        Assert.Contains("stalled.bin              Error: timed out after 0.3s", output.ToString());
        Assert.Equal(["fine.bin"], folder.SavedFiles());
        Assert.Empty(folder.PartialFiles());
    }

    [Fact]
    public async Task Two_urls_with_the_same_file_name_must_both_be_saved()
    {
        ServedFile file = new("same.bin", 20_000);
        await using var server = await FileServer.StartAsync([file]);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls($"{server.UrlOf(file.Name)}", $"{server.UrlOf(file.Name)}?mirror=2");

        var summary = await DownloadRunner.RunAsync(folder.Settings(), new StringWriter(), null, new ShutdownSignal()).WaitAsync(Patience);

        Assert.Equal(2, summary.Succeeded);
        var saved = folder.SavedFiles();
        Assert.Equal(2, saved.Length);
        Assert.Contains("same.bin", saved);
        Assert.Contains(saved, name => name is "same-1.bin" or "same-2.bin");
    }

    [Fact]
    public async Task A_429_must_wait_for_its_retry_after()
    {
        ServedFile limited = new("limited.bin", 10_000) { FailFirst = 1, FailStatus = 429, RetryAfterSeconds = 1 };
        await using var server = await FileServer.StartAsync([limited]);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(server, [limited]);
        var clock = Stopwatch.StartNew();

        var summary = await DownloadRunner.RunAsync(folder.Settings(), new StringWriter(), null, new ShutdownSignal()).WaitAsync(Patience);

        Assert.Equal(1, summary.Succeeded);
        Assert.Equal(2, server.RequestsFor(limited.Name));
        // The policy's own backoff is 20 ms; only Retry-After explains a wait of a second.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.95), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task The_bandwidth_limit_must_hold_within_ten_percent_across_workers()
    {
        const long Rate = 2_000_000;
        ServedFile[] files = [new("a.bin", 3_000_000), new("b.bin", 3_000_000)];
        await using var server = await FileServer.StartAsync(files);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(server, files);

        var summary = await DownloadRunner.RunAsync(folder.Settings(workers: 2) with { BytesPerSecond = Rate }, new StringWriter(), null, new ShutdownSignal()).WaitAsync(Patience);

        Assert.Equal(2, summary.Succeeded);
        Assert.True(summary.TransferTime >= TimeSpan.FromSeconds(2), $"measured over {summary.TransferTime}");
        var measured = summary.TransferredBytes / summary.TransferTime.TotalSeconds;
        log.WriteLine($"measured {measured:F0} B/s over {summary.TransferTime.TotalSeconds:F2} s; limit {Rate} B/s ({(measured / Rate) - 1:P1})");
        Assert.InRange(measured, Rate * 0.9, Rate * 1.1);
    }

    [Fact]
    public async Task The_request_rate_limit_must_space_requests_across_workers()
    {
        // 11 requests at 5/s: the first at once, then one every 200 ms, 2 s in all.
        var files = Enumerable.Range(1, 11).Select(i => new ServedFile($"r{i}.bin", 1_000)).ToArray();
        await using var server = await FileServer.StartAsync(files);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(server, files);
        var clock = Stopwatch.StartNew();

        var summary = await DownloadRunner.RunAsync(folder.Settings(workers: 4) with { RequestsPerSecond = 5 }, new StringWriter(), null, new ShutdownSignal()).WaitAsync(Patience);

        log.WriteLine($"11 requests at 5/s took {clock.Elapsed.TotalSeconds:F2} s");
        Assert.Equal(11, summary.Succeeded);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.8), TimeSpan.FromSeconds(3.5));
    }

    [Fact]
    public async Task A_graceful_stop_must_finish_in_flight_files_drop_the_rest_and_add_up()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var halfway = new Countdown(2);
        var files = Enumerable.Range(1, 8).Select(i => new ServedFile($"f{i}.bin", 200_000) { HoldHalfwayUntil = release.Task, OnHalfway = halfway.Signal }).ToArray();
        await using var server = await FileServer.StartAsync(files);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(server, files);
        var signal = new ShutdownSignal();
        var output = new StringWriter();

        var run = DownloadRunner.RunAsync(folder.Settings(workers: 2) with { Queue = 2 }, TextWriter.Synchronized(output), null, signal);
        await halfway.Reached.WaitAsync(Patience);
        signal.Request();
        release.SetResult();
        var summary = await run.WaitAsync(Patience);

        Assert.True(summary.Interrupted);
        Assert.Equal(ExitCodes.Interrupted, summary.ExitCode);
        Assert.Equal((0L, 2L, 0L, 6L), (summary.Completed, summary.InFlightDone, summary.Cancelled, summary.QueuedDropped));
        Assert.Equal(2, folder.SavedFiles().Length);
        Assert.Equal(summary.SavedBytes, folder.SavedFiles().Sum(f => new FileInfo(Path.Combine(folder.Output, f)).Length));
        Assert.Empty(folder.PartialFiles());
        Assert.Contains("Shutdown Summary:", output.ToString());
        Assert.Contains("In-flight done:        2 files", output.ToString());
        Assert.Contains("Queued dropped:        6 files", output.ToString());
    }

    [Fact]
    public async Task When_the_grace_period_ends_in_flight_files_must_be_cancelled_leaving_no_partial_or_final_file()
    {
        var never = new TaskCompletionSource();
        var halfway = new Countdown(2);
        var files = Enumerable.Range(1, 4).Select(i => new ServedFile($"g{i}.bin", 400_000) { HoldHalfwayUntil = never.Task, OnHalfway = halfway.Signal }).ToArray();
        await using var server = await FileServer.StartAsync(files);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(server, files);
        var signal = new ShutdownSignal();

        var run = DownloadRunner.RunAsync(folder.Settings(workers: 2) with { GracePeriod = TimeSpan.FromMilliseconds(300) }, new StringWriter(), null, signal);
        await halfway.Reached.WaitAsync(Patience);
        signal.Request();
        var summary = await run.WaitAsync(Patience);

        Assert.Equal((0L, 2L, 2L), (summary.Succeeded, summary.Cancelled, summary.QueuedDropped));
        Assert.Empty(folder.SavedFiles());
        Assert.Empty(folder.PartialFiles());
    }

    [Fact]
    public async Task A_second_signal_must_cancel_at_once_despite_a_long_grace_period()
    {
        var never = new TaskCompletionSource();
        var halfway = new Countdown(1);
        ServedFile held = new("held.bin", 400_000) { HoldHalfwayUntil = never.Task, OnHalfway = halfway.Signal };
        await using var server = await FileServer.StartAsync([held]);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(server, [held]);
        var signal = new ShutdownSignal();

        var run = DownloadRunner.RunAsync(folder.Settings() with { GracePeriod = TimeSpan.FromMinutes(10) }, new StringWriter(), null, signal);
        await halfway.Reached.WaitAsync(Patience);
        signal.Request();
        signal.Request();
        var summary = await run.WaitAsync(Patience);

        Assert.Equal(1, summary.Cancelled);
        Assert.Empty(folder.SavedFiles());
        Assert.Empty(folder.PartialFiles());
    }

    [Fact]
    public async Task A_slow_download_stage_must_hold_back_the_reader_and_the_rest_must_still_complete()
    {
        const int Lines = 300;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var halfway = new Countdown(1);
        var files = Enumerable.Range(1, Lines).Select(i => new ServedFile($"s{i:D3}.bin", 2_000) { HoldHalfwayUntil = release.Task, OnHalfway = halfway.Signal }).ToArray();
        await using var server = await FileServer.StartAsync(files);
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(server, files);
        DownloadProgress? progress = null;

        var run = DownloadRunner.RunAsync(folder.Settings(workers: 1) with { Queue = 1 }, new StringWriter(), null, new ShutdownSignal(), observe: p => progress = p);
        await halfway.Reached.WaitAsync(Patience);
        var readWhileBlocked = progress!.LinesRead;
        log.WriteLine($"{readWhileBlocked} of {Lines} lines read while the only download worker was blocked");
        release.SetResult();
        var summary = await run.WaitAsync(Patience);

        // Stage parallelism (validate 4, download 1 + 1 queued, checksum 2) plus Akka.Streams'
        // fixed input buffers: a constant, far below the list's length.
        Assert.InRange(readWhileBlocked, 1, 16);
        Assert.Equal(Lines, summary.Succeeded);
        Assert.Equal(Lines, folder.SavedFiles().Length);
    }
}
