using System.CommandLine;
using System.Globalization;
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
        Workers = new Option<int>("--workers", "-w")
        {
            Description = "Concurrent downloads (> 0).",
            DefaultValueFactory = _ => defaultWorkers,
        };
        RequireAtLeast(Workers, 1);
        RateLimit = new Option<double>("--rate-limit", "-r")
        {
            Description = "Bandwidth across all workers in MB/s (1 MB = 1,000,000 bytes); 0 = unlimited.",
            DefaultValueFactory = _ => defaultRateLimit,
        };
        RateLimit.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<double>();
            if (!double.IsFinite(value) || value < 0 || value * DownloadFormat.Megabyte > long.MaxValue / 2)
            {
                r.AddError($"--rate-limit must be a number of MB/s >= 0, was: {value.ToString(CultureInfo.InvariantCulture)}.");
            }
        });
        RequestRate = new Option<int>("--request-rate")
        {
            Description = "HTTP requests per second across all workers, retries included; 0 = unlimited.",
            DefaultValueFactory = _ => 0,
        };
        RequireAtLeast(RequestRate, 0);
        Queue = new Option<int>("--queue", "-q")
        {
            Description = "Validated files that may wait for a download worker (>= 0).",
            DefaultValueFactory = _ => 100,
        };
        RequireAtLeast(Queue, 0);
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
        Timeout = DurationOption("--timeout", "Per-file timeout covering every attempt, e.g. 30s, 2m, 500ms.", TimeSpan.FromSeconds(30));
        GracePeriod = DurationOption("--grace-period", "After Ctrl+C, how long in-flight downloads may finish before they are cancelled.", TimeSpan.FromSeconds(10));
        Retries = new Option<int>("--retries")
        {
            Description = "Retries after a transient failure (connection error, 5xx, 408, 429), with exponential backoff.",
            DefaultValueFactory = _ => 2,
        };
        RequireAtLeast(Retries, 0);
    }

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

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Output, Workers, RateLimit, RequestRate, Queue, Pipeline, Verify, Dashboard, Timeout, GracePeriod, Retries })
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
        parse.GetValue(Timeout),
        parse.GetValue(GracePeriod),
        RetryPolicy.Default with { MaxAttempts = parse.GetValue(Retries) + 1 });

    /// <summary>Parses 30s, 500ms, 2m, 1h, a bare number of seconds, or hh:mm:ss.</summary>
    internal static bool TryParseDuration(string text, out TimeSpan value)
    {
        var units = new (string Suffix, double Seconds)[] { ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600) };
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount)
                && double.IsFinite(amount))
            {
                value = TimeSpan.FromSeconds(amount * seconds);
                return true;
            }
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain) && double.IsFinite(plain))
        {
            value = TimeSpan.FromSeconds(plain);
            return true;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }

    private static Option<TimeSpan> DurationOption(string name, string description, TimeSpan defaultValue)
    {
        var option = new Option<TimeSpan>(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : string.Empty;
                if (TryParseDuration(text, out var value) && value > TimeSpan.Zero && value < TimeSpan.FromDays(1))
                {
                    return value;
                }

                r.AddError($"{name} must be a duration > 0 such as 30s, 500ms or 2m, was: '{text}'.");
                return default;
            },
        };
        return option;
    }

    private static void RequireAtLeast(Option<int> option, int min) =>
        option.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<int>();
            if (value < min)
            {
                r.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be {(min == 1 ? "> 0" : $">= {min}")}, was: {value}."));
            }
        });
}
