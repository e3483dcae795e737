using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ActorPool.Cli.Download;

/// <summary>The live view of <c>--dashboard</c>: one progress bar per worker, queue and speed figures, recent events.</summary>
internal sealed class DashboardView(DownloadProgress progress, DownloadSettings settings)
{
    private const int BarWidth = 24;
    private const int RecentLines = 6;
    private readonly Lock _recentGate = new();
    private readonly Queue<string> _recent = new();
    private readonly SpeedMeter _speed = new();

    /// <summary>Keeps a per-file line for the view; thread-safe.</summary>
    public void Add(string line)
    {
        lock (_recentGate)
        {
            _recent.Enqueue(line);
            while (_recent.Count > RecentLines)
            {
                _recent.Dequeue();
            }
        }
    }

    /// <summary>Redraws every quarter second until <paramref name="completion"/> finishes.</summary>
    public async Task ShowAsync(IAnsiConsole console, Task completion)
    {
        await console.Live(Render()).AutoClear(false).StartAsync(async context =>
        {
            while (!completion.IsCompleted)
            {
                await Task.WhenAny(completion, Task.Delay(TimeSpan.FromMilliseconds(250)));
                context.UpdateTarget(Render());
            }
        });
    }

    /// <summary>A snapshot of the view.</summary>
    public IRenderable Render()
    {
        var c = CultureInfo.InvariantCulture;
        _speed.Sample(progress.TotalBytes);
        var workers = new Grid().AddColumn().AddColumn().AddColumn().AddColumn();
        foreach (var slot in progress.Slots)
        {
            var name = slot.Name;
            if (name is null)
            {
                workers.AddRow($"⚙ Worker {slot.Index + 1}", "[grey]idle[/]", string.Empty, string.Empty);
                continue;
            }

            var bytes = slot.Bytes;
            var length = Volatile.Read(ref slot.Length);
            var elapsed = Stopwatch.GetElapsedTime(Volatile.Read(ref slot.StartedAt)).TotalSeconds;
            var fraction = length > 0 ? (double)bytes / length : 0;
            workers.AddRow(
                $"⚙ Worker {slot.Index + 1}",
                Markup.Escape(name),
                $"[green]{DownloadFormat.Bar(fraction, BarWidth)}[/] {(length > 0 ? string.Create(c, $"{fraction * 100,3:F0}%") : DownloadFormat.Size(bytes))}",
                elapsed > 0 ? DownloadFormat.Speed(bytes / elapsed) : string.Empty);
        }

        var done = progress.Count(FileOutcome.Succeeded);
        var failed = progress.Count(FileOutcome.Failed) + progress.Count(FileOutcome.Invalid) + progress.Count(FileOutcome.Cancelled);
        var active = progress.Active;
        var average = progress.TransferTime.TotalSeconds > 0 ? progress.TotalBytes / progress.TransferTime.TotalSeconds : 0;
        var stats = new Grid().AddColumn().AddColumn().AddColumn().AddColumn()
            .AddRow("Completed:", string.Create(c, $"{done} files"), "Current:", DownloadFormat.Speed(_speed.Current))
            .AddRow("Failed:", string.Create(c, $"{failed} files"), "Average:", DownloadFormat.Speed(average))
            .AddRow("Downloaded:", DownloadFormat.Size(progress.TotalBytes), "Peak:", DownloadFormat.Speed(_speed.Peak))
            .AddRow("Remaining:", string.Create(c, $"{progress.TotalEntries - progress.Finished} files"), "Limit:", settings.BytesPerSecond > 0 ? DownloadFormat.Speed(settings.BytesPerSecond) : "none");

        string[] recent;
        lock (_recentGate)
        {
            recent = [.. _recent];
        }

        var footer = progress.ShuttingDown
            ? $"[yellow]Shutting down: in-flight downloads have {DownloadFormat.Duration(settings.GracePeriod)} to finish; Ctrl+C again cancels them now.[/]"
            : "[grey]Ctrl+C for graceful shutdown, twice to cancel at once.[/]";
        return new Rows(
            new Rule("[bold]Download Manager Dashboard[/]").LeftJustified(),
            new Markup(settings.Pipeline ? "Pipeline: Validate → Download → Checksum" : "Worker pool: validate, download and checksum in one task"),
            new Markup(string.Create(c, $"Workers: [bold]{active}/{progress.Slots.Count}[/] active    Queue: [bold]{progress.Waiting}[/] pending    Read: {progress.LinesRead}/{progress.TotalEntries} lines")),
            new Rule(),
            workers,
            new Rule(),
            stats,
            new Rule(),
            new Rows(recent.Select(line => (IRenderable)new Text(line))),
            new Markup(footer));
    }
}
