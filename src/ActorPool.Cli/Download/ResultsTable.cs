using System.Globalization;

namespace ActorPool.Cli.Download;

/// <summary>
/// The table printed at the end of a run (like aria2c's "Download Results"): every entry that was
/// neither saved nor skipped, with its line, URL and reason, so a dashboard run also says which
/// files failed and why.
/// </summary>
internal static class ResultsTable
{
    private const int UrlWidth = 56;

    /// <summary>Writes the table; nothing when every entry was saved or skipped.</summary>
    /// <param name="output">Where the table goes.</param>
    /// <param name="problems">The entries kept by <see cref="DownloadProgress.Problems"/>.</param>
    /// <param name="problemCount">How many there were in all (more than kept when the run had very many).</param>
    /// <param name="neverRead">Entries shutdown kept from being read at all.</param>
    public static void Write(TextWriter output, IReadOnlyList<FileReport> problems, long problemCount, long neverRead)
    {
        if (problemCount + neverRead == 0)
        {
            return;
        }

        var c = CultureInfo.InvariantCulture;
        var rows = problems.OrderBy(p => p.LineNumber).ToList();
        var urlWidth = Math.Clamp(rows.Select(r => r.Url.Length).DefaultIfEmpty(3).Max(), 3, UrlWidth);
        output.WriteLine();
        output.WriteLine("Download Results (entries not saved):");
        output.WriteLine(string.Create(c, $"{"status",-10}|{"line",6} | {"URL".PadRight(urlWidth)} | reason"));
        output.WriteLine($"{new string('=', 10)}+{new string('=', 7)}+{new string('=', urlWidth + 2)}+{new string('=', 8)}");
        foreach (var row in rows)
        {
            var url = row.Url.Length > urlWidth ? string.Concat(row.Url.AsSpan(0, urlWidth - 1), "…") : row.Url.PadRight(urlWidth);
            output.WriteLine(string.Create(c, $"{row.Status,-10}|{row.LineNumber,6} | {url} | {row.Detail ?? "-"}"));
        }

        if (problemCount > rows.Count)
        {
            output.WriteLine(string.Create(c, $"… and {problemCount - rows.Count} more (--report FILE lists every entry)"));
        }

        if (neverRead > 0)
        {
            output.WriteLine(string.Create(c, $"{"dropped",-10}|{"-",6} | {DownloadFormat.Count(neverRead, "entry", "entries")} never read: shutdown came first"));
        }

        output.Flush();
    }
}
