using System.Diagnostics;

namespace ActorPool.Cli.Download;

/// <summary>
/// One line on its way through validate → download → checksum. Only one stage holds it at a
/// time, and the stream hands it on, so its fields need no locking.
/// </summary>
internal sealed class DownloadJob(UrlLine line)
{
    /// <summary>The line it came from.</summary>
    public UrlLine Line { get; } = line;

    /// <summary>Set by the validate stage.</summary>
    public DownloadRequest? Request { get; set; }

    /// <summary>Where the body is written until it is verified.</summary>
    public string? TempPath { get; set; }

    /// <summary>Bytes written to <see cref="TempPath"/>.</summary>
    public long Bytes { get; set; }

    /// <summary>HTTP attempts made.</summary>
    public int Attempts { get; set; }

    /// <summary>True once a download worker began fetching it.</summary>
    public bool Started { get; set; }

    /// <summary>When fetching began.</summary>
    public long StartedAt { get; set; }

    /// <summary>Set when the job is finished early (invalid, failed, cancelled, dropped); later stages pass it through.</summary>
    public FileOutcome? Outcome { get; set; }

    /// <summary>Why it ended as it did, or what the checksum stage found.</summary>
    public string? Detail { get; set; }

    /// <summary>The name to show: the file name once known, else the line.</summary>
    public string Name => Request?.FileName ?? $"line {Line.LineNumber}";

    /// <summary>Marks the job finished with <paramref name="outcome"/> unless it already is.</summary>
    public DownloadJob End(FileOutcome outcome, string? detail)
    {
        Outcome ??= outcome;
        Detail ??= detail;
        return this;
    }

    /// <summary>Time since fetching began.</summary>
    public TimeSpan Elapsed => Started ? Stopwatch.GetElapsedTime(StartedAt) : TimeSpan.Zero;
}
