using System.Globalization;
using System.Text;

namespace ActorPool.Cli.Demo;

/// <summary>What the demo serves, the URL file it writes, and how each entry should end.</summary>
internal static class DemoCatalog
{
    /// <summary>Answers 503 with Retry-After once, then succeeds.</summary>
    public const string Flaky = "flaky.bin";

    /// <summary>Always 404.</summary>
    public const string Missing = "missing.bin";

    /// <summary>Listed with the wrong SHA-256.</summary>
    public const string Corrupt = "corrupt.bin";

    private const long Kilobyte = 1_000;
    private const long Megabyte = 1_000_000;

    /// <summary>A few large files, some slow ones, a flaky one, a missing one, a corrupt one, and small ones.</summary>
    public static IReadOnlyList<ServedFile> Files { get; } =
    [
        new("big-1.iso", 12 * Megabyte),
        new("big-2.tar.gz", 9 * Megabyte),
        new("big-3.zip", 6 * Megabyte),
        new("slow-1.pdf", 512 * Kilobyte) { BytesPerSecond = 256 * Kilobyte },
        new("slow-2.mp3", 768 * Kilobyte) { BytesPerSecond = 256 * Kilobyte },
        new(Flaky, 1 * Megabyte) { FailFirst = 1, FailStatus = 503, RetryAfterSeconds = 1 },
        new(Missing, 0) { Missing = true },
        new(Corrupt, 2 * Megabyte),
        .. Enumerable.Range(1, 8).Select(i => new ServedFile(string.Create(CultureInfo.InvariantCulture, $"small-{i:D2}.txt"), i * 150 * Kilobyte)),
    ];

    /// <summary>Lines that must end as <c>Invalid</c>.</summary>
    public const int InvalidLines = 1;

    /// <summary>Entries that must fail: the missing and the corrupt file.</summary>
    public const int FailingFiles = 2;

    /// <summary>Entries that must be saved.</summary>
    public static int SavedFiles => Files.Count - FailingFiles;

    /// <summary>The URL file for <paramref name="server"/>: comments, a blank line, checksums, one wrong, one bad line.</summary>
    public static string UrlFile(FileServer server)
    {
        var text = new StringBuilder();
        text.AppendLine("# actorpool demo: URL [SHA-256], one a line");
        text.AppendLine();
        foreach (var file in Files)
        {
            var sha = file.Name switch
            {
                Missing => string.Empty,
                Corrupt => " " + new string('0', 64),
                _ => " " + file.Sha256,
            };
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{server.UrlOf(file.Name)}{sha}"));
        }

        text.AppendLine("# the next line is malformed on purpose");
        text.AppendLine("htp:/not-a-url");
        return text.ToString();
    }
}
