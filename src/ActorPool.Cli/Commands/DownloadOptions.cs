using System.CommandLine;
using ActorPool.Cli.Download;

namespace ActorPool.Cli.Commands;

/// <summary>The options <c>download</c> and <c>demo</c> share, with their validation.</summary>
internal sealed class DownloadOptions
{
    /// <summary>Creates the options; <paramref name="defaultRateLimit"/> and <paramref name="defaultOutput"/> differ between commands.</summary>
    public DownloadOptions(double defaultRateLimit = 0, string defaultOutput = "downloads", int defaultWorkers = 5)
    {
        Output = new Option<string>("--output", "-o")
        {
            Description = "The folder to save files into; created when missing.",
            DefaultValueFactory = _ => defaultOutput,
        };
        Workers = NumericOption.Int("--workers", "Concurrent downloads.", defaultWorkers, 1, MaxWorkers, "-w");
        RateLimit = NumericOption.Double("--rate-limit", "Bandwidth across all workers in MB/s (1 MB = 1,000,000 bytes); 0 = unlimited.", defaultRateLimit, 0, MaxMegabytesPerSecond, "-r");
        RequestRate = NumericOption.Int("--request-rate", "HTTP requests per second across all workers, retries included; 0 = unlimited. A host that answers 429 or 503 gets fewer until it recovers.", 0, 0, MaxRequestsPerSecond);
        Queue = NumericOption.Int("--queue", "Validated files that may wait for a download worker.", 100, 0, MaxQueue, "-q");
        Pipeline = new Option<bool>("--pipeline", "-p")
        {
            Description = "Run validate, download and checksum as separate stages, each on its own worker pool.",
        };
        Verify = new Option<bool>("--verify")
        {
            Description = "Verify SHA-256 sums given in the URL file; a mismatch fails the file.",
        };
        Dashboard = new Option<bool>("--dashboard", "-d")
        {
            Description = "Show a live dashboard (plain lines when stdout is not a terminal).",
        };
        Timeout = NumericOption.Duration("--timeout", "Per-file timeout covering every attempt, e.g. 30s, 2m, 500ms.", DefaultTimeout, TimeSpan.FromDays(1));
        GracePeriod = NumericOption.Duration("--grace-period", "After Ctrl+C (or q), how long in-flight downloads may finish before they are cancelled.", DefaultGracePeriod, TimeSpan.FromDays(1));
        Retries = NumericOption.Int("--retries", "Retries after a transient failure (connection error, 5xx, 408, 429), with exponential backoff or the server's Retry-After.", 2, 0, MaxRetries);
        Overwrite = new Option<bool>("--overwrite")
        {
            Description = "Replace files already in the output folder. Without it a present file is never replaced: it is skipped (when a SHA-256 is given, only if it matches; a mismatch fails the entry).",
        };
        Continue = new Option<bool>("--continue", "-c")
        {
            Description = "Resume a kept <name>.part with an HTTP Range request (a full download when the server ignores ranges), and keep .part files of interrupted or failed downloads for the next run.",
        };
        Report = new Option<string>("--report")
        {
            Description = "Write a JSON report to this file: every entry's URL, line, path, status, bytes, attempts, duration, SHA-256 and error, and the totals.",
        };
    }

    /// <summary>The per-file timeout without <c>--timeout</c>.</summary>
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The grace period without <c>--grace-period</c>.</summary>
    internal static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromSeconds(10);

    /// <summary>More concurrent downloads than this only contend for the same network and disk.</summary>
    internal const int MaxWorkers = 256;

    /// <summary>100 GB/s: above any link, low enough that bytes per second fit a token bucket.</summary>
    internal const double MaxMegabytesPerSecond = 100_000;

    /// <summary>Requests per second; the token bucket refills in twentieths of a second.</summary>
    internal const int MaxRequestsPerSecond = 100_000;

    /// <summary>Validated files waiting for a worker; each holds only its line.</summary>
    internal const int MaxQueue = 1_000_000;

    /// <summary>Retries per file.</summary>
    internal const int MaxRetries = 100;

    /// <summary><c>--output</c>: the folder to save into.</summary>
    public Option<string> Output { get; }

    /// <summary><c>--workers</c>: concurrent downloads.</summary>
    public Option<int> Workers { get; }

    /// <summary><c>--rate-limit</c>: MB/s across all workers.</summary>
    public Option<double> RateLimit { get; }

    /// <summary><c>--request-rate</c>: requests per second across all workers.</summary>
    public Option<int> RequestRate { get; }

    /// <summary><c>--queue</c>: validated files waiting for a download worker.</summary>
    public Option<int> Queue { get; }

    /// <summary><c>--pipeline</c>: one pool per stage.</summary>
    public Option<bool> Pipeline { get; }

    /// <summary><c>--verify</c>: check SHA-256 sums.</summary>
    public Option<bool> Verify { get; }

    /// <summary><c>--dashboard</c>: the live view.</summary>
    public Option<bool> Dashboard { get; }

    /// <summary><c>--timeout</c>: per file, every attempt included.</summary>
    public Option<TimeSpan> Timeout { get; }

    /// <summary><c>--grace-period</c>: how long in-flight files may finish after Ctrl+C.</summary>
    public Option<TimeSpan> GracePeriod { get; }

    /// <summary><c>--retries</c>: retries after a transient failure.</summary>
    public Option<int> Retries { get; }

    /// <summary><c>--overwrite</c>: replace files already present.</summary>
    public Option<bool> Overwrite { get; }

    /// <summary><c>--continue</c>: resume kept .part files and keep interrupted ones.</summary>
    public Option<bool> Continue { get; }

    /// <summary><c>--report</c>: the JSON report's path.</summary>
    public Option<string> Report { get; }

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Output, Workers, RateLimit, RequestRate, Queue, Pipeline, Verify, Dashboard, Timeout, GracePeriod, Retries, Overwrite, Continue, Report })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The settings the command line asks for.</summary>
    public DownloadSettings Read(ParseResult parse, string urlFile) => new(
        urlFile,
        parse.GetValue(Output)!,
        parse.GetValue(Workers),
        (long)(parse.GetValue(RateLimit) * DownloadFormat.Megabyte),
        parse.GetValue(RequestRate),
        parse.GetValue(Queue),
        parse.GetValue(Pipeline),
        parse.GetValue(Verify),
        parse.GetValue(Dashboard),
        NumericOption.ValueOr(parse, Timeout, DefaultTimeout),
        NumericOption.ValueOr(parse, GracePeriod, DefaultGracePeriod),
        RetryPolicy.Default with { MaxAttempts = parse.GetValue(Retries) + 1 })
    {
        Overwrite = parse.GetValue(Overwrite),
        Continue = parse.GetValue(Continue),
        ReportPath = parse.GetValue(Report),
    };
}
