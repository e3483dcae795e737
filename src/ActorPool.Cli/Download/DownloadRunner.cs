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
    /// <summary>Downloads every entry of the URL file.</summary>
    /// <param name="settings">The validated command line.</param>
    /// <param name="output">Plain lines and the summary go here.</param>
    /// <param name="dashboard">The terminal for the live view, or null for plain lines.</param>
    /// <param name="signal">First signal: stop taking files and drain; second: cancel now.</param>
    /// <param name="time">The clock for backoff waits and the bandwidth refill.</param>
    /// <param name="observe">Receives the live figures once the pipeline runs (tests watch backpressure with it).</param>
    public static async Task<DownloadSummary> RunAsync(
        DownloadSettings settings,
        TextWriter output,
        IAnsiConsole? dashboard,
        ShutdownSignal signal,
        TimeProvider? time = null,
        Action<DownloadProgress>? observe = null)
    {
        time ??= TimeProvider.System;
        var clock = Stopwatch.StartNew();
        var total = await UrlList.CountEntriesAsync(settings.UrlFile, signal.Immediate);
        Directory.CreateDirectory(settings.Output);
        WriteHeader(settings, total, output);

        var outputGate = new Lock();
        DashboardView? view = null;
        var progress = new DownloadProgress(settings.Workers, total, line =>
        {
            if (view is not null)
            {
                view.Add(line);
                return;
            }

            lock (outputGate)
            {
                output.WriteLine(line);
                output.Flush();
            }
        });
        if (dashboard is not null)
        {
            view = new DashboardView(progress, settings);
        }

        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(signal.Immediate);
        var system = ActorSystem.Create("actorpool-download", SystemConfig);
        try
        {
            var pools = CreatePools(system, settings);
            using var http = CreateHttpClient();
            using var bandwidth = settings.BytesPerSecond > 0 ? new BandwidthLimiter(settings.BytesPerSecond, time) : null;
            using var requests = settings.RequestsPerSecond > 0 ? CreateRequestLimiter(settings.RequestsPerSecond) : null;
            var stages = new DownloadStages(settings, http, bandwidth, requests, progress, time, hardStop.Token);
            // Wired before the stream starts, so a signal can never find files that started unwatched.
            UniqueKillSwitch? intake = null;
            using var onFirstSignal = signal.Graceful.Register(() =>
            {
                if (!progress.BeginShutdown())
                {
                    return;
                }

                Volatile.Read(ref intake)?.Shutdown();
                progress.Say(string.Create(CultureInfo.InvariantCulture, $"Shutdown signal received: no new files; waiting up to {DownloadFormat.Duration(settings.GracePeriod)} for {progress.Active} in-flight downloads..."));
                hardStop.CancelAfter(settings.GracePeriod);
            });
            using var onHardStop = hardStop.Token.Register(() => progress.Say(signal.Immediate.IsCancellationRequested
                ? "Second signal: cancelling in-flight downloads now."
                : $"Grace period ({DownloadFormat.Duration(settings.GracePeriod)}) over: cancelling in-flight downloads."));
            observe?.Invoke(progress);

            var (killSwitch, completion) = DownloadPipeline.Run(settings.UrlFile, pools, stages, progress, settings.Pipeline, system.Materializer());
            Interlocked.Exchange(ref intake, killSwitch);
            if (progress.ShuttingDown)
            {
                // The signal came while the stream was starting; the callback saw no kill switch yet.
                killSwitch.Shutdown();
            }

            if (dashboard is not null && view is not null)
            {
                await view.ShowAsync(dashboard, completion);
            }

            await completion;
            await Task.WhenAll(pools.Validate.StopAsync(), pools.Download.StopAsync(), pools.Checksum.StopAsync());
        }
        finally
        {
            await system.Terminate();
        }

        clock.Stop();
        var summary = DownloadSummary.From(progress, clock.Elapsed);
        lock (outputGate)
        {
            summary.Write(output);
        }

        return summary;
    }

    /// <summary>Pools stop only after the stream has drained them, so their stop has nothing to wait for.</summary>
    private static readonly TimeSpan PoolStopTimeout = TimeSpan.FromSeconds(3);

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
            // The per-file timeout lives in the download stage, where retries can see it.
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

    private static void WriteHeader(DownloadSettings settings, int total, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine("Concurrent Download Manager (ActorPool)");
        output.WriteLine(DownloadFormat.Rule);
        output.WriteLine();
        output.WriteLine("Configuration:");
        output.WriteLine(string.Create(c, $"  URL file:      {settings.UrlFile} ({total} entries)"));
        output.WriteLine(string.Create(c, $"  Output:        {settings.Output}"));
        output.WriteLine(string.Create(c, $"  Workers:       {settings.Workers}"));
        output.WriteLine(string.Create(c, $"  Rate limit:    {(settings.BytesPerSecond > 0 ? DownloadFormat.Speed(settings.BytesPerSecond) : "unlimited")}"));
        output.WriteLine(string.Create(c, $"  Requests:      {(settings.RequestsPerSecond > 0 ? $"{settings.RequestsPerSecond}/s" : "unlimited")}"));
        output.WriteLine(string.Create(c, $"  Queue size:    {settings.Queue}"));
        output.WriteLine(string.Create(c, $"  Mode:          {(settings.Pipeline ? "pipeline" : "worker pool")}"));
        output.WriteLine(string.Create(c, $"  Verify:        {(settings.Verify ? "enabled" : "disabled")}"));
        output.WriteLine(string.Create(c, $"  Timeout:       {DownloadFormat.Duration(settings.Timeout)} per file, {settings.Retry.MaxAttempts} attempts; grace period {DownloadFormat.Duration(settings.GracePeriod)}"));
        output.WriteLine();
        if (settings.Pipeline)
        {
            output.WriteLine("Pipeline: Validate → Download → Checksum");
            output.WriteLine();
        }

        output.Flush();
    }
}
