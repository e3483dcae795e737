namespace ActorPool.Cli.Download;

/// <summary>The validated command line of <c>actorpool download</c>.</summary>
/// <param name="UrlFile">The URL list.</param>
/// <param name="Output">The folder files are saved into; created when missing.</param>
/// <param name="Workers">Concurrent downloads.</param>
/// <param name="BytesPerSecond">Bandwidth across all workers; 0 = unlimited.</param>
/// <param name="RequestsPerSecond">HTTP requests per second across all workers, retries included; 0 = unlimited.</param>
/// <param name="Queue">Validated files that may wait for a download worker.</param>
/// <param name="Pipeline">Run validate, download and checksum as separate stages, each on its own pool.</param>
/// <param name="Verify">Check SHA-256 sums given in the URL file.</param>
/// <param name="Dashboard">Show the live view when stdout is a terminal.</param>
/// <param name="Timeout">Per-file limit covering every attempt of that file.</param>
/// <param name="GracePeriod">How long in-flight downloads may run after the first Ctrl+C.</param>
/// <param name="Retry">Attempts and backoff for transient failures.</param>
internal sealed record DownloadSettings(
    string UrlFile,
    string Output,
    int Workers,
    long BytesPerSecond,
    int RequestsPerSecond,
    int Queue,
    bool Pipeline,
    bool Verify,
    bool Dashboard,
    TimeSpan Timeout,
    TimeSpan GracePeriod,
    RetryPolicy Retry)
{
    /// <summary>Replace files already in the output folder instead of skipping them.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Resume kept <c>.part</c> files with HTTP Range requests, and keep the <c>.part</c> files of interrupted or failed downloads.</summary>
    public bool Continue { get; init; }

    /// <summary>Where to write the JSON report; null for none.</summary>
    public string? ReportPath { get; init; }
}
