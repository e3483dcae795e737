using System.Diagnostics;
using System.Globalization;
using System.Threading.RateLimiting;
using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Spectre.Console;

namespace ActorPool.Cli.Download;

/// <summary>
/// Runs one download: builds the pools and the stream on one actor system, wires the shutdown
/// signal, shows the dashboard or plain lines, and returns the summary.
/// </summary>
internal static class DownloadRunner
{
    /// <summary>Pools stop only after the stream has drained them, so their stop has nothing to wait for.</summary>
    private static readonly TimeSpan PoolStopTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Downloads every entry of the URL file.</summary>
    /// <param name="settings">The validated command line.</param>
    /// <param name="output">Results: the header, per-file lines, the results table and the summary.</param>
    /// <param name="dashboard">The terminal for the live view, or null for plain lines.</param>
    /// <param name="signal">First signal (or <c>q</c>): stop taking files and drain; second: cancel now.</param>
    /// <param name="time">The clock for backoff waits, throttling, speeds and the bandwidth refill.</param>
    /// <param name="observe">Receives the live figures once the pipeline runs (tests watch backpressure with it).</param>
    /// <param name="notices">Notices (retries, throttling, shutdown steps); <paramref name="output"/> when null.</param>
    /// <param name="report">The <c>--report</c> file, already created; completed here.</param>
    public static async Task<DownloadSummary> RunAsync(
        DownloadSettings settings,
        TextWriter output,
        IAnsiConsole? dashboard,
        ShutdownSignal signal,
        TimeProvider? time = null,
        Action<DownloadProgress>? observe = null,
        TextWriter? notices = null,
        DownloadReport? report = null)
    {
        time ??= TimeProvider.System;
        notices ??= output;
        var clock = Stopwatch.StartNew();
        var total = await UrlList.CountEntriesAsync(settings.UrlFile, signal.Immediate);
        Directory.CreateDirectory(settings.Output);
        WriteHeader(settings, total, output, dashboard is not null);

        var outputGate = new Lock();
        DashboardView? view = null;
        void Write(TextWriter to, string line)
        {
            if (view is not null)
            {
                view.Add(line);
                return;
            }

            lock (outputGate)
            {
                to.WriteLine(line);
                to.Flush();
            }
        }

        var progress = new DownloadProgress(settings.Workers, total, line => Write(output, line), time, line => Write(notices, line));
        if (report is not null)
        {
            progress.Recorded += report.Add;
        }

        var hosts = new HostThrottles(settings.RequestsPerSecond, time);
        var watchKeys = dashboard is not null && QuitKey.Available;
        if (dashboard is not null)
        {
            view = new DashboardView(progress, settings, hosts) { OffersQuitKey = watchKeys };
        }

        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(signal.Immediate);
        using var runEnded = new CancellationTokenSource();
        var system = ActorSystem.Create("actorpool-download", SystemConfig);
        try
        {
            var pools = CreatePools(system, settings);
            using var http = CreateHttpClient();
            using var bandwidth = settings.BytesPerSecond > 0 ? new BandwidthLimiter(settings.BytesPerSecond, time) : null;
            using var requests = settings.RequestsPerSecond > 0 ? CreateRequestLimiter(settings.RequestsPerSecond) : null;
            var stages = new DownloadStages(settings, http, bandwidth, requests, hosts, progress, time, hardStop.Token);
            // Wired before the stream starts, so a signal can never find files that started unwatched.
            UniqueKillSwitch? intake = null;
            using var onFirstSignal = signal.Graceful.Register(() =>
            {
                if (!progress.BeginShutdown())
                {
                    return;
                }

                Volatile.Read(ref intake)?.Shutdown();
                progress.Notice("Shutdown signal received: no new files.");
                progress.Notice($"⏳ Waiting for {DownloadFormat.Count(progress.Active, "in-flight download")} to complete (up to {DownloadFormat.Duration(settings.GracePeriod)}; Ctrl+C again cancels them now)...");
                hardStop.CancelAfter(settings.GracePeriod);
            });
            using var onHardStop = hardStop.Token.Register(() => progress.Notice(signal.Immediate.IsCancellationRequested
                ? "Second signal: cancelling in-flight downloads now."
                : $"⏰ Grace period ({DownloadFormat.Duration(settings.GracePeriod)}) over: cancelling in-flight downloads."));
            observe?.Invoke(progress);

            var (killSwitch, completion) = DownloadPipeline.Run(settings.UrlFile, pools, stages, progress, settings.Pipeline, system.Materializer());
            Interlocked.Exchange(ref intake, killSwitch);
            if (progress.ShuttingDown)
            {
                // The signal came while the stream was starting; the callback saw no kill switch yet.
                killSwitch.Shutdown();
            }

            var keys = watchKeys
                ? QuitKey.WatchAsync(() => Console.KeyAvailable, () => Console.ReadKey(intercept: true).KeyChar, () => signal.Request(), time, runEnded.Token)
                : Task.CompletedTask;
            if (dashboard is not null && view is not null)
            {
                await view.ShowAsync(dashboard, completion);
            }

            await completion;
            progress.Complete();
            await runEnded.CancelAsync();
            await keys;
            await Task.WhenAll(pools.Validate.StopAsync(), pools.Download.StopAsync(), pools.Checksum.StopAsync());
        }
        finally
        {
            await system.Terminate();
        }

        var neverRead = 0;
        if (progress.LinesRead < total)
        {
            await foreach (var line in UrlList.EntriesAfterAsync(settings.UrlFile, progress.LastLineRead, CancellationToken.None))
            {
                neverRead++;
                report?.Add(new FileReport(line.LineNumber, $"line {line.LineNumber}", line.Text, null, FileOutcome.Dropped, 0, TimeSpan.Zero, 0, null, "never read: shutdown came first", true));
            }
        }

        clock.Stop();
        var summary = DownloadSummary.From(progress, clock.Elapsed);
        lock (outputGate)
        {
            ResultsTable.Write(output, progress.Problems, progress.ProblemCount, neverRead);
            summary.Write(output);
        }

        if (report is not null)
        {
            await report.CompleteAsync(summary, CancellationToken.None);
            lock (outputGate)
            {
                notices.WriteLine($"Report written to {report.Path}");
            }
        }

        return summary;
    }

    private static Config SystemConfig => ConfigurationFactory.ParseString("""
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          coordinated-shutdown.run-by-clr-shutdown-hook = off
        }
        """);

    /// <summary>One pool per stage; download has the user's workers and queue, the cheap stages a few workers each.</summary>
    private static StagePools CreatePools(ActorSystem system, DownloadSettings settings)
    {
        WorkerPool Pool(string name, int workers, int queue)
        {
            var pool = WorkerPool.Create(system, new WorkerPoolOptions { Workers = workers, QueueSize = queue, MaxRetainedResults = 0, ShutdownTimeout = PoolStopTimeout }, name);
            pool.Start();
            return pool;
        }

        var hashers = Math.Clamp(Environment.ProcessorCount, 1, settings.Workers);
        return new StagePools(
            Pool("validate", 2, 2), 4,
            Pool("download", settings.Workers, settings.Queue), settings.Workers + settings.Queue,
            Pool("checksum", hashers, hashers), hashers * 2);
    }

    private static HttpClient CreateHttpClient()
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        })
        {
            // The per-file timeout lives in the download stage's Polly pipeline, where retries can see it.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("actorpool-download/0.1");
        return client;
    }

    /// <summary>Spreads requests evenly: one token every 1/rate seconds, refilled in batches above 20/s.</summary>
    private static TokenBucketRateLimiter CreateRequestLimiter(int perSecond)
    {
        var perPeriod = Math.Max(1, perSecond / 20);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perPeriod,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(perPeriod / (double)perSecond),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    private static void WriteHeader(DownloadSettings settings, int total, TextWriter output, bool dashboard)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine("Concurrent Download Manager (ActorPool)");
        output.WriteLine(DownloadFormat.Rule);
        output.WriteLine();
        output.WriteLine("Configuration:");
        output.WriteLine(string.Create(c, $"  URL file:      {settings.UrlFile} ({DownloadFormat.Count(total, "entry", "entries")})"));
        output.WriteLine(string.Create(c, $"  Output:        {settings.Output}"));
        output.WriteLine(string.Create(c, $"  Workers:       {settings.Workers}"));
        output.WriteLine(string.Create(c, $"  Rate limit:    {(settings.BytesPerSecond > 0 ? DownloadFormat.Speed(settings.BytesPerSecond) : "unlimited")}"));
        output.WriteLine(string.Create(c, $"  Requests:      {(settings.RequestsPerSecond > 0 ? $"{settings.RequestsPerSecond}/s" : "unlimited")}, lowered per host on 429/503"));
        output.WriteLine(string.Create(c, $"  Queue size:    {settings.Queue}"));
        // The dashboard draws the pipeline itself; saying it here too printed it twice.
        output.WriteLine(string.Create(c, $"  Mode:          {(settings.Pipeline ? dashboard ? "pipeline" : "pipeline (Validate → Download → Checksum)" : "worker pool")}"));
        output.WriteLine(string.Create(c, $"  Verify:        {(settings.Verify ? "enabled" : "disabled")}"));
        output.WriteLine(string.Create(c, $"  Existing:      {(settings.Overwrite ? "replaced (--overwrite)" : "kept: skipped when present")}{(settings.Continue ? "; .part files resumed (--continue)" : string.Empty)}"));
        output.WriteLine(string.Create(c, $"  Timeout:       {DownloadFormat.Duration(settings.Timeout)} per file, {DownloadFormat.Count(settings.Retry.MaxAttempts, "attempt")}; grace period {DownloadFormat.Duration(settings.GracePeriod)}"));
        output.WriteLine();
        output.Flush();
    }
}
