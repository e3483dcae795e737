namespace ActorPool.Cli.Download;

/// <summary>How one line of the URL file ended; every line ends exactly one way.</summary>
internal enum FileOutcome
{
    /// <summary>Saved under its final name (checksum verified when asked for).</summary>
    Succeeded,

    /// <summary>Already in the output folder (and matching its SHA-256 when one is given); nothing was fetched.</summary>
    Skipped,

    /// <summary>HTTP error, retries exhausted, per-file timeout, checksum mismatch, or a present file that differs.</summary>
    Failed,

    /// <summary>The line is not a valid entry; nothing was fetched.</summary>
    Invalid,

    /// <summary>Was downloading when shutdown ran out of grace; its partial file was removed (or kept with <c>--continue</c>).</summary>
    Cancelled,

    /// <summary>Never started because shutdown stopped taking new files.</summary>
    Dropped,
}

/// <summary>What happened to one line, as printed, reported and summed up.</summary>
/// <param name="LineNumber">The 1-based line in the URL file.</param>
/// <param name="Name">The file name, or "line N" when the line was not a valid entry.</param>
/// <param name="Url">The URL, or the line's text when it is not a valid entry.</param>
/// <param name="Path">Where the file is (saved or skipped) or would have been saved; null for invalid lines.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Bytes">Bytes of the file (saved, skipped) or received (failed, cancelled).</param>
/// <param name="Duration">Time from the first request to the end.</param>
/// <param name="Attempts">HTTP attempts made.</param>
/// <param name="Sha256">The file's SHA-256 when it was computed (<c>--verify</c>, <c>--report</c>, or a present file checked against the given sum).</param>
/// <param name="Detail">Why it ended as it did, or what the checksum stage found.</param>
/// <param name="FinishedDuringShutdown">It ended after the first shutdown signal.</param>
internal sealed record FileReport(
    int LineNumber,
    string Name,
    string Url,
    string? Path,
    FileOutcome Outcome,
    long Bytes,
    TimeSpan Duration,
    int Attempts,
    string? Sha256,
    string? Detail,
    bool FinishedDuringShutdown)
{
    /// <summary>The status word of the JSON report and the results table.</summary>
    public string Status => StatusOf(Outcome);

    /// <summary>saved, skipped, failed, invalid, cancelled or dropped.</summary>
    public static string StatusOf(FileOutcome outcome) => outcome switch
    {
        FileOutcome.Succeeded => "saved",
        FileOutcome.Skipped => "skipped",
        FileOutcome.Failed => "failed",
        FileOutcome.Invalid => "invalid",
        FileOutcome.Cancelled => "cancelled",
        _ => "dropped",
    };
}
