using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ActorPool.Cli.Download;

/// <summary>
/// The live view of <c>--dashboard</c>: one progress bar per worker, queue and speed figures,
/// recent events; after a shutdown signal, the in-flight files' bars until they end; and a final
/// frame whose figures are the summary's.
/// </summary>
internal sealed class DashboardView(DownloadProgress progress, DownloadSettings settings, HostThrottles? hosts = null)
{
    private const int BarWidth = 24;
    private const int RecentLines = 6;
    private readonly Lock _recentGate = new();
    private readonly Queue<string> _recent = new();
    private readonly SpeedMeter _speed = new(progress.Time);

    /// <summary>Whether <c>q</c> is being listened for (stdin is a terminal), so the footer may offer it.</summary>
    public bool OffersQuitKey { get; init; }

    /// <summary>Keeps a per-file line or a notice for the view; thread-safe.</summary>
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

    /// <summary>Redraws every quarter second until <paramref name="completion"/> finishes, then draws the final frame.</summary>
    public async Task ShowAsync(IAnsiConsole console, Task completion)
    {
        await console.Live(Render()).AutoClear(false).StartAsync(async context =>
        {
            while (!completion.IsCompleted)
            {
                await Task.WhenAny(completion, Task.Delay(TimeSpan.FromMilliseconds(250), progress.Time));
                context.UpdateTarget(Render());
            }

            // The final frame: no "Ctrl+C again" footer left standing once everything has ended.
            progress.Complete();
            context.UpdateTarget(Render());
        });
    }

    /// <summary>A snapshot of the view.</summary>
    public IRenderable Render()
    {
        var c = CultureInfo.InvariantCulture;
        var average = progress.AverageBytesPerSecond;
        _speed.Sample(progress.TotalBytes, average);
        var waitingForInFlight = progress.ShuttingDown && !progress.Completed;

        var saved = progress.Count(FileOutcome.Succeeded);
        var efficiency = settings.BytesPerSecond > 0 ? average / settings.BytesPerSecond : _speed.Peak > 0 ? average / _speed.Peak : 0;
        var stats = new Grid().AddColumn().AddColumn().AddColumn().AddColumn()
            .AddRow("Successful:", DownloadFormat.Count(saved, "file"), "Current:", DownloadFormat.Speed(_speed.Current))
            .AddRow("Skipped:", DownloadFormat.Count(progress.Count(FileOutcome.Skipped), "file"), "Average:", DownloadFormat.Speed(average))
            .AddRow("Failed:", DownloadFormat.Count(progress.Count(FileOutcome.Failed), "file"), "Peak:", DownloadFormat.Speed(_speed.Peak))
            .AddRow("Invalid lines:", string.Create(c, $"{progress.Count(FileOutcome.Invalid)}"), "Limit:", settings.BytesPerSecond > 0 ? DownloadFormat.Speed(settings.BytesPerSecond) : "none")
            .AddRow("Total size:", DownloadFormat.Size(progress.SavedBytes), "Transferred:", DownloadFormat.Size(progress.TotalBytes));
        if (progress.ShuttingDown)
        {
            // The shutdown summary's split: entries a shutdown kept from being read count as dropped there too.
            var dropped = progress.Count(FileOutcome.Dropped) + Math.Max(0, progress.TotalEntries - progress.LinesRead);
            stats.AddRow("Cancelled:", DownloadFormat.Count(progress.Count(FileOutcome.Cancelled), "file"), "Efficiency:", string.Create(c, $"{efficiency * 100:F0}%"))
                .AddRow("Dropped:", DownloadFormat.Count(dropped, "file"), string.Empty, string.Empty);
        }
        else
        {
            stats.AddRow("Remaining:", DownloadFormat.Count(progress.TotalEntries - progress.Finished, "file"), "Efficiency:", string.Create(c, $"{efficiency * 100:F0}%"));
        }

        string[] recent;
        lock (_recentGate)
        {
            recent = [.. _recent];
        }

        var rows = new List<IRenderable>
        {
            new Rule("[bold]Download Manager Dashboard[/]").LeftJustified(),
            new Markup(settings.Pipeline ? "Pipeline: Validate → Download → Checksum" : "Worker pool: validate, download and checksum in one task"),
        };
        if (!progress.Completed && hosts?.Throttled is { Count: > 0 } throttled)
        {
            rows.AddRange(throttled.Select(h => (IRenderable)new Markup($"[yellow]{Markup.Escape(HostThrottles.Notice(h.Host, h.Limit))}[/]")));
        }

        if (waitingForInFlight)
        {
            var inFlight = progress.Slots.Where(s => s.Name is not null).ToList();
            rows.Add(new Markup(string.Create(c, $"[yellow]⏳ Waiting for {DownloadFormat.Count(inFlight.Count, "in-flight download")} to complete...[/]")));
            rows.Add(new Rule());
            rows.Add(Bars(inFlight, "continuing..."));
        }
        else
        {
            rows.Add(new Markup(string.Create(c, $"Workers: [bold]{progress.Active}/{progress.Slots.Count}[/] active    Queue: [bold]{progress.Waiting}[/] pending    Read: {progress.LinesRead}/{progress.TotalEntries} lines")));
            rows.Add(new Rule());
            rows.Add(Bars(progress.Slots, null));
        }

        rows.Add(new Rule());
        rows.Add(stats);
        rows.Add(new Rule());
        rows.Add(new Rows(recent.Select(line => (IRenderable)new Text(line))));
        rows.Add(new Markup(Footer()));
        return new Rows(rows);
    }

    private string Footer()
    {
        if (progress.Completed)
        {
            return progress.ShuttingDown ? "[grey]Stopped. The summary follows.[/]" : "[grey]Done. The summary follows.[/]";
        }

        if (progress.ShuttingDown)
        {
            return $"[yellow]Shutting down: in-flight downloads have {DownloadFormat.Duration(settings.GracePeriod)} to finish; Ctrl+C again cancels them now.[/]";
        }

        return OffersQuitKey
            ? "[grey]Press 'q' to quit, Ctrl+C for graceful shutdown (twice to cancel at once).[/]"
            : "[grey]Ctrl+C for graceful shutdown, twice to cancel at once.[/]";
    }

    private Grid Bars(IEnumerable<WorkerSlot> slots, string? suffix)
    {
        var c = CultureInfo.InvariantCulture;
        var grid = new Grid().AddColumn().AddColumn().AddColumn().AddColumn();
        foreach (var slot in slots)
        {
            var name = slot.Name;
            if (name is null)
            {
                grid.AddRow($"⚙ Worker {slot.Index + 1}", "[grey]idle[/]", string.Empty, string.Empty);
                continue;
            }

            var bytes = slot.Bytes;
            var length = Volatile.Read(ref slot.Length);
            var elapsed = progress.Time.GetElapsedTime(Volatile.Read(ref slot.StartedAt)).TotalSeconds;
            var fraction = length > 0 ? (double)bytes / length : 0;
            grid.AddRow(
                $"⚙ Worker {slot.Index + 1}",
                Markup.Escape(name),
                $"[green]{DownloadFormat.Bar(fraction, BarWidth)}[/] {(length > 0 ? string.Create(c, $"{fraction * 100,3:F0}%") : DownloadFormat.Size(bytes))}",
                suffix ?? (elapsed > 0 ? DownloadFormat.Speed(bytes / elapsed) : string.Empty));
        }

        return grid;
    }
}
