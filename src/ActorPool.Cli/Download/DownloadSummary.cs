using System.Globalization;
using ActorPool.Cli.Commands;

namespace ActorPool.Cli.Download;

/// <summary>What a download run did; every entry of the URL file is counted exactly once.</summary>
internal sealed record DownloadSummary(
    int TotalEntries,
    long Succeeded,
    long Skipped,
    long InFlightDone,
    long Failed,
    long Invalid,
    long Cancelled,
    long Dropped,
    long SavedBytes,
    long TransferredBytes,
    TimeSpan WallTime,
    TimeSpan TransferTime,
    bool Interrupted)
{
    /// <summary>Reads the final figures from <paramref name="progress"/>.</summary>
    public static DownloadSummary From(DownloadProgress progress, TimeSpan wallTime) => new(
        progress.TotalEntries,
        progress.Count(FileOutcome.Succeeded),
        progress.Count(FileOutcome.Skipped),
        progress.InFlightDone,
        progress.Count(FileOutcome.Failed),
        progress.Count(FileOutcome.Invalid),
        progress.Count(FileOutcome.Cancelled),
        progress.Count(FileOutcome.Dropped),
        progress.SavedBytes,
        progress.TotalBytes,
        wallTime,
        progress.TransferTime,
        progress.ShuttingDown);

    /// <summary>Succeeded before any shutdown signal.</summary>
    public long Completed => Succeeded - InFlightDone;

    /// <summary>Files that never started: queued when shutdown came, or not yet read from the file.</summary>
    public long QueuedDropped => Math.Max(0, TotalEntries - Succeeded - Skipped - Failed - Invalid - Cancelled);

    /// <summary>Bytes received per second, from the first request to the last byte.</summary>
    public double AverageBytesPerSecond => TransferTime > TimeSpan.Zero ? TransferredBytes / TransferTime.TotalSeconds : 0;

    /// <summary>0 when every entry was saved or already present, 1 when some were not, 130 when interrupted.</summary>
    public int ExitCode => Interrupted
        ? ExitCodes.Interrupted
        : Succeeded + Skipped == TotalEntries ? ExitCodes.Success : ExitCodes.SomeFailed;

    /// <summary>Writes the seed's summary, or its shutdown summary after a signal.</summary>
    /// <remarks>Labels and figures are the dashboard's (see <see cref="DashboardView"/>), so the two always agree.</remarks>
    public void Write(TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine(DownloadFormat.Rule);
        output.WriteLine(Interrupted ? "Shutdown Summary:" : "Summary:");
        output.WriteLine(DownloadFormat.Rule);
        output.WriteLine();
        if (Interrupted)
        {
            output.WriteLine(string.Create(c, $"Completed:        {Completed,6} {Files(Completed)}"));
            output.WriteLine(string.Create(c, $"In-flight done:   {InFlightDone,6} {Files(InFlightDone)}"));
            output.WriteLine(string.Create(c, $"Cancelled:        {Cancelled,6} {Files(Cancelled)}"));
            output.WriteLine(string.Create(c, $"Queued dropped:   {QueuedDropped,6} {Files(QueuedDropped)}"));
            output.WriteLine(string.Create(c, $"Skipped:          {Skipped,6} {Files(Skipped)}"));
            output.WriteLine(string.Create(c, $"Failed:           {Failed,6} {Files(Failed)}"));
            output.WriteLine(string.Create(c, $"Invalid lines:    {Invalid,6}"));
            output.WriteLine();
            output.WriteLine(string.Create(c, $"Total size:       {DownloadFormat.Size(SavedBytes)}"));
            output.WriteLine(string.Create(c, $"Transferred:      {DownloadFormat.Size(TransferredBytes)}"));
            output.WriteLine(string.Create(c, $"Time:             {DownloadFormat.Duration(WallTime)}"));
        }
        else
        {
            output.WriteLine(string.Create(c, $"Total files:      {TotalEntries,6}"));
            output.WriteLine(string.Create(c, $"Successful:       {Succeeded,6}"));
            output.WriteLine(string.Create(c, $"Skipped:          {Skipped,6}"));
            output.WriteLine(string.Create(c, $"Failed:           {Failed,6}"));
            output.WriteLine(string.Create(c, $"Invalid lines:    {Invalid,6}"));
            if (Cancelled + Dropped > 0)
            {
                output.WriteLine(string.Create(c, $"Not run:          {Cancelled + Dropped,6}"));
            }

            output.WriteLine(string.Create(c, $"Total size:       {DownloadFormat.Size(SavedBytes)}"));
            output.WriteLine(string.Create(c, $"Transferred:      {DownloadFormat.Size(TransferredBytes)}"));
            output.WriteLine(string.Create(c, $"Total time:       {DownloadFormat.Duration(WallTime)}"));
            output.WriteLine(string.Create(c, $"Avg speed:        {DownloadFormat.Speed(AverageBytesPerSecond)}"));
        }

        output.Flush();
    }

    private static string Files(long n) => n == 1 ? "file" : "files";
}
