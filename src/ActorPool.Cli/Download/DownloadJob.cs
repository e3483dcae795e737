namespace ActorPool.Cli.Download;

/// <summary>
/// One line on its way through validate → download → checksum. Only one stage holds it at a
/// time, and the stream hands it on, so its fields need no locking.
/// </summary>
internal sealed class DownloadJob(UrlLine line)
{
    /// <summary>The line it came from.</summary>
    public UrlLine Line { get; } = line;

    /// <summary>The file name given to this line as the file was read, in line order, so a re-run names every line the same.</summary>
    public string? ReservedName { get; set; }

    /// <summary>Set by the validate stage.</summary>
    public DownloadRequest? Request { get; set; }

    /// <summary>Where the file is saved: the output folder and its name.</summary>
    public string? FinalPath { get; set; }

    /// <summary>Where the body is written until it is verified: <see cref="FinalPath"/> + <c>.part</c>.</summary>
    public string? TempPath { get; set; }

    /// <summary>Bytes of the file: written to <see cref="TempPath"/> (resumed bytes included), or of the present file when skipped.</summary>
    public long Bytes { get; set; }

    /// <summary>HTTP attempts made.</summary>
    public int Attempts { get; set; }

    /// <summary>True once a download worker began fetching it.</summary>
    public bool Started { get; set; }

    /// <summary>When fetching began, in <see cref="TimeProvider"/> timestamps.</summary>
    public long StartedAt { get; set; }

    /// <summary>When it ended, in <see cref="TimeProvider"/> timestamps; 0 while it runs.</summary>
    public long EndedAt { get; set; }

    /// <summary>The SHA-256 of the file, when computed.</summary>
    public string? Sha256 { get; set; }

    /// <summary>Set when the job is finished early (skipped, invalid, failed, cancelled, dropped); later stages pass it through.</summary>
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
}
