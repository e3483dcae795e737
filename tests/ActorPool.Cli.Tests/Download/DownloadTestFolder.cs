using ActorPool.Cli.Demo;
using ActorPool.Cli.Download;

namespace ActorPool.Cli.Tests.Download;

/// <summary>A temporary folder with a URL file and an output folder, removed on dispose.</summary>
internal sealed class DownloadTestFolder : IDisposable
{
    public DownloadTestFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), $"actorpool-test-{Guid.NewGuid():N}");
        Output = Path.Combine(Root, "out");
        UrlFile = Path.Combine(Root, "urls.txt");
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Output { get; }

    public string UrlFile { get; }

    public void WriteUrls(params string[] lines) => File.WriteAllLines(UrlFile, lines);

    /// <summary>One line per file: its URL and its correct SHA-256.</summary>
    public void WriteUrls(FileServer server, IEnumerable<ServedFile> files) =>
        WriteUrls([.. files.Select(f => $"{server.UrlOf(f.Name)} {f.Sha256}")]);

    public DownloadSettings Settings(int workers = 2) => new(
        UrlFile,
        Output,
        workers,
        BytesPerSecond: 0,
        RequestsPerSecond: 0,
        Queue: 10,
        Pipeline: true,
        Verify: true,
        Dashboard: false,
        Timeout: TimeSpan.FromSeconds(30),
        GracePeriod: TimeSpan.FromSeconds(30),
        Retry: new RetryPolicy(3, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(1)));

    /// <summary>Files saved under final names (not .part).</summary>
    public string[] SavedFiles() => Directory.Exists(Output)
        ? [.. Directory.EnumerateFiles(Output).Where(f => !f.EndsWith(".part", StringComparison.Ordinal)).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)]
        : [];

    public string[] PartialFiles() => Directory.Exists(Output)
        ? [.. Directory.EnumerateFiles(Output, "*.part").Select(f => Path.GetFileName(f)!)]
        : [];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Completes when <paramref name="expected"/> calls have arrived: a signal, not a sleep.</summary>
internal sealed class Countdown(int expected)
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;

    public Task Reached => _reached.Task;

    public void Signal()
    {
        if (Interlocked.Increment(ref _count) >= expected)
        {
            _reached.TrySetResult();
        }
    }
}
