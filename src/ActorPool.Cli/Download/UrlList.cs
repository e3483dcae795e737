using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Akka;
using Akka.Streams.Dsl;

namespace ActorPool.Cli.Download;

/// <summary>One line of a URL file that is neither blank nor a comment, with its 1-based number.</summary>
internal sealed record UrlLine(int LineNumber, string Text);

/// <summary>A line that passed validation: what to fetch, the SHA-256 it should have, and its file name.</summary>
internal sealed record DownloadRequest(int LineNumber, Uri Url, string? ExpectedSha256, string FileName);

/// <summary>Reads and parses URL files: <c>URL [SHA-256]</c> a line, blank lines and <c>#</c> comments skipped.</summary>
internal static partial class UrlList
{
    /// <summary>True for a line that names a file to fetch (not blank, not a comment).</summary>
    public static bool IsEntry(string line)
    {
        var trimmed = line.AsSpan().Trim();
        return trimmed.Length > 0 && trimmed[0] != '#';
    }

    /// <summary>Counts entries in one streaming pass, so the total is known without holding the list.</summary>
    public static async Task<int> CountEntriesAsync(string path, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var line in File.ReadLinesAsync(path, cancellationToken))
        {
            if (IsEntry(line))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>A source that reads the file a line at a time as downstream asks, so a long list never sits in memory.</summary>
    /// <remarks>An async enumerable rather than <c>UnfoldResourceAsync</c>, which held the stream's completion back by about two seconds.</remarks>
    public static Source<UrlLine, NotUsed> Read(string path) => Source.From(() => ReadEntriesAsync(path));

    private static async IAsyncEnumerable<UrlLine> ReadEntriesAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var number = 0;
        await foreach (var line in File.ReadLinesAsync(path, cancellationToken))
        {
            number++;
            if (IsEntry(line))
            {
                yield return new UrlLine(number, line.Trim());
            }
        }
    }

    /// <summary>The entries after line <paramref name="lineNumber"/>: those a shutdown kept from being read, for the report.</summary>
    public static async IAsyncEnumerable<UrlLine> EntriesAfterAsync(string path, int lineNumber, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var line in ReadEntriesAsync(path, cancellationToken))
        {
            if (line.LineNumber > lineNumber)
            {
                yield return line;
            }
        }
    }

    /// <summary>Checks one entry; returns the request, or null with <paramref name="error"/> saying what is wrong.</summary>
    public static DownloadRequest? TryParse(UrlLine line, out string? error)
    {
        var fields = line.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length > 2)
        {
            error = $"expected 'URL [SHA-256]', found {fields.Length} fields";
            return null;
        }

        if (!Uri.TryCreate(fields[0], UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            error = $"'{fields[0]}' is not an absolute http or https URL";
            return null;
        }

        string? sha = null;
        if (fields.Length == 2)
        {
            if (!Sha256Hex().IsMatch(fields[1]))
            {
                error = $"'{fields[1]}' is not a SHA-256 (64 hex digits)";
                return null;
            }

            sha = fields[1].ToLowerInvariant();
        }

        error = null;
        return new DownloadRequest(line.LineNumber, url, sha, FileNameFor(url, line.LineNumber));
    }

    /// <summary>The URL's last path segment made safe for a file name; never a path, never empty.</summary>
    public static string FileNameFor(Uri url, int lineNumber)
    {
        var segment = Uri.UnescapeDataString(url.AbsolutePath.TrimEnd('/').Split('/')[^1]);
        var invalid = Path.GetInvalidFileNameChars();
        var safe = new string([.. segment.Select(c => Array.IndexOf(invalid, c) >= 0 ? '_' : c)]).Trim('.', ' ');
        return safe.Length > 0 ? safe : string.Create(CultureInfo.InvariantCulture, $"download-{lineNumber}");
    }

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Hex();
}
