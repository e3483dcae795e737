using System.Globalization;

namespace ActorPool.Cli.Download;

/// <summary>The text of per-file lines and figures, shared by the plain output and the dashboard.</summary>
internal static class DownloadFormat
{
    /// <summary>The rule the seed's output draws between sections.</summary>
    public const string Rule = "━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━";

    /// <summary>One MB as the command line and the output use it: 1,000,000 bytes.</summary>
    public const double Megabyte = 1_000_000;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Bytes as B, KB, MB or GB (powers of 1000, like <c>--rate-limit</c>).</summary>
    public static string Size(double bytes) => bytes switch
    {
        < 1_000 => string.Create(Invariant, $"{bytes:F0} B"),
        < 1_000_000 => string.Create(Invariant, $"{bytes / 1_000:F1} KB"),
        < 1_000_000_000 => string.Create(Invariant, $"{bytes / Megabyte:F1} MB"),
        _ => string.Create(Invariant, $"{bytes / 1_000_000_000:F2} GB"),
    };

    /// <summary>A rate in MB/s.</summary>
    public static string Speed(double bytesPerSecond) => string.Create(Invariant, $"{bytesPerSecond / Megabyte:F1} MB/s");

    /// <summary>A duration as 2.3s, or 2m 15s from a minute on.</summary>
    public static string Duration(TimeSpan time) => time.TotalMinutes >= 1
        ? string.Create(Invariant, $"{(int)time.TotalMinutes}m {time.Seconds}s")
        : string.Create(Invariant, $"{time.TotalSeconds:F1}s");

    /// <summary>A text progress bar, <paramref name="width"/> cells wide.</summary>
    public static string Bar(double fraction, int width)
    {
        var full = (int)Math.Round(Math.Clamp(fraction, 0, 1) * width);
        return new string('█', full) + new string('░', width - full);
    }

    /// <summary>"1 file", "2 files": a count with its noun, never "1 files".</summary>
    public static string Count(long n, string noun, string? plural = null) =>
        string.Create(Invariant, $"{n} {(n == 1 ? noun : plural ?? noun + "s")}");

    /// <summary>The line printed when a file ends; null for dropped files, which only the summary counts.</summary>
    /// <remarks>The attempt count is added to saved files only: a failure's reason already says how many attempts it took.</remarks>
    public static string? FileLine(FileReport report)
    {
        var tries = report.Attempts > 1 ? string.Create(Invariant, $" ({report.Attempts} attempts)") : string.Empty;
        return report.Outcome switch
        {
            FileOutcome.Succeeded => string.Create(Invariant, $"✓ {report.Name,-24} {Size(report.Bytes),10} {Duration(report.Duration),8}  [{report.Detail ?? "saved"}]{tries}"),
            FileOutcome.Skipped => string.Create(Invariant, $"↷ {report.Name,-24} {Size(report.Bytes),10} {"skipped",8}  [{report.Detail}]"),
            FileOutcome.Failed => string.Create(Invariant, $"✗ {report.Name,-24} Error: {report.Detail}"),
            FileOutcome.Invalid => string.Create(Invariant, $"✗ line {report.LineNumber}: {report.Detail}"),
            FileOutcome.Cancelled => string.Create(Invariant, $"✗ {report.Name} cancelled ({report.Detail})"),
            _ => null,
        };
    }
}
