namespace ActorPool.Cli.Download;

/// <summary>How one line of the URL file ended; every line ends exactly one way.</summary>
internal enum FileOutcome
{
    /// <summary>Saved under its final name (checksum verified when asked for).</summary>
    Succeeded,

    /// <summary>HTTP error, retries exhausted, per-file timeout, or checksum mismatch.</summary>
    Failed,

    /// <summary>The line is not a valid entry; nothing was fetched.</summary>
    Invalid,

    /// <summary>Was downloading when shutdown ran out of grace; its partial file was removed.</summary>
    Cancelled,

    /// <summary>Never started because shutdown stopped taking new files.</summary>
    Dropped,
}

/// <summary>What happened to one line, as printed and summed up.</summary>
internal sealed record FileReport(
    int LineNumber,
    string Name,
    FileOutcome Outcome,
    long Bytes,
    TimeSpan Duration,
    int Attempts,
    string? Detail,
    bool FinishedDuringShutdown);
