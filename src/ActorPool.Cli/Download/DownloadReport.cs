using System.Text.Encodings.Web;
using System.Text.Json;

namespace ActorPool.Cli.Download;

/// <summary>
/// The <c>--report</c> file: JSON written as entries end, so memory stays flat however long the
/// list, then the totals. Shape: <c>{ "version", "urlFile", "output", "startedAt", "entries": [
/// { "line", "url", "path", "status", "bytes", "attempts", "durationMs", "sha256", "error" } ],
/// "totals": { ... } }</c>.
/// </summary>
internal sealed class DownloadReport : IAsyncDisposable
{
    /// <summary>Flush to disk once this much JSON is pending.</summary>
    private const int FlushAt = 64 * 1024;

    private readonly Lock _gate = new();
    private readonly FileStream _file;
    private readonly Utf8JsonWriter _json;

    private DownloadReport(FileStream file)
    {
        _file = file;
        _json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>Where the report is written.</summary>
    public string Path => _file.Name;

    /// <summary>Creates (or replaces) the report file and writes its head.</summary>
    /// <exception cref="IOException">The file cannot be created.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be written.</exception>
    public static DownloadReport Create(string path, string urlFile, string output, DateTimeOffset startedAt)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(full) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }

        var report = new DownloadReport(new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024, FileOptions.Asynchronous));
        var json = report._json;
        json.WriteStartObject();
        json.WriteNumber("version", 1);
        json.WriteString("urlFile", urlFile);
        json.WriteString("output", System.IO.Path.GetFullPath(output));
        json.WriteString("startedAt", startedAt);
        json.WriteStartArray("entries");
        return report;
    }

    /// <summary>Adds one entry; thread-safe.</summary>
    public void Add(FileReport entry)
    {
        lock (_gate)
        {
            var json = _json;
            json.WriteStartObject();
            json.WriteNumber("line", entry.LineNumber);
            json.WriteString("url", entry.Url);
            WriteStringOrNull("path", entry.Path is null ? null : System.IO.Path.GetFullPath(entry.Path));
            json.WriteString("status", entry.Status);
            json.WriteNumber("bytes", entry.Bytes);
            json.WriteNumber("attempts", entry.Attempts);
            json.WriteNumber("durationMs", Math.Round(entry.Duration.TotalMilliseconds, 1));
            WriteStringOrNull("sha256", entry.Sha256);
            WriteStringOrNull("error", entry.Outcome is FileOutcome.Succeeded or FileOutcome.Skipped ? null : entry.Detail);
            json.WriteEndObject();
            if (json.BytesPending > FlushAt)
            {
                json.Flush();
            }
        }
    }

    /// <summary>Closes the entries with the totals and writes the file out.</summary>
    public async Task CompleteAsync(DownloadSummary summary, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var json = _json;
            json.WriteEndArray();
            json.WriteStartObject("totals");
            json.WriteNumber("entries", summary.TotalEntries);
            json.WriteNumber("saved", summary.Succeeded);
            json.WriteNumber("skipped", summary.Skipped);
            json.WriteNumber("failed", summary.Failed);
            json.WriteNumber("invalid", summary.Invalid);
            json.WriteNumber("cancelled", summary.Cancelled);
            json.WriteNumber("dropped", summary.QueuedDropped);
            json.WriteNumber("savedBytes", summary.SavedBytes);
            json.WriteNumber("transferredBytes", summary.TransferredBytes);
            json.WriteNumber("durationMs", Math.Round(summary.WallTime.TotalMilliseconds, 1));
            json.WriteBoolean("interrupted", summary.Interrupted);
            json.WriteNumber("exitCode", summary.ExitCode);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        await _json.FlushAsync(cancellationToken);
        await _file.FlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _json.DisposeAsync();
        await _file.DisposeAsync();
    }

    private void WriteStringOrNull(string name, string? value)
    {
        if (value is null)
        {
            _json.WriteNull(name);
        }
        else
        {
            _json.WriteString(name, value);
        }
    }
}
