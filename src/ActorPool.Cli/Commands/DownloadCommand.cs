using System.CommandLine;
using ActorPool.Cli.Download;
using Spectre.Console;

namespace ActorPool.Cli.Commands;

/// <summary><c>actorpool download</c>: fetches a list of URLs through the validate → download → checksum pipeline.</summary>
internal static class DownloadCommand
{
    /// <summary>The <c>--urls</c> value that means "read the list from stdin".</summary>
    public const string StandardInput = "-";

    public static Command Create(TextWriter output, TextWriter error, ShutdownSignal signal)
    {
        var urls = new Option<string>("--urls", "-u")
        {
            Description = "The URL file, or - for stdin: one URL a line, optionally followed by its SHA-256; blank lines and # comments are skipped.",
            Required = true,
        };
        urls.Validators.Add(r =>
        {
            var path = r.GetValueOrDefault<string>();
            if (path == StandardInput)
            {
                return;
            }

            if (Directory.Exists(path))
            {
                r.AddError($"--urls must be a file, was a folder: '{path}'.");
            }
            else if (!File.Exists(path))
            {
                r.AddError($"--urls file not found: '{path}'.");
            }
        });
        var options = new DownloadOptions();
        var command = new Command("download", "Download the files listed in a URL file concurrently, with limits, retries, checksums, resume and graceful Ctrl+C.")
        {
            urls,
        };
        options.AddTo(command);
        command.SetAction((parse, _) =>
        {
            var settings = options.Read(parse, parse.GetValue(urls)!);
            return RunAsync(settings, output, error, signal);
        });
        return command;
    }

    /// <summary>Runs the download with the dashboard when asked for and stdout is a terminal.</summary>
    internal static async Task<int> RunAsync(DownloadSettings settings, TextWriter output, TextWriter error, ShutdownSignal signal)
    {
        try
        {
            Directory.CreateDirectory(settings.Output);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            await error.WriteLineAsync($"--output folder cannot be created: '{settings.Output}': {ex.Message}");
            return ExitCodes.BadUsage;
        }

        // stdin is read once into a temporary file: the run counts the entries first (for the
        // totals and the dashboard), then streams them, and a pipe can be read only once.
        string? spooled = null;
        if (settings.UrlFile == StandardInput)
        {
            spooled = Path.Combine(Path.GetTempPath(), $"actorpool-urls-{Guid.NewGuid():N}.txt");
            await using (var file = File.Create(spooled))
            {
                await Console.OpenStandardInput().CopyToAsync(file, signal.Immediate);
            }

            settings = settings with { UrlFile = spooled };
        }

        try
        {
            var shown = spooled is null ? settings.UrlFile : StandardInput;
            if (await UrlList.CountEntriesAsync(settings.UrlFile, signal.Immediate) == 0)
            {
                await error.WriteLineAsync($"--urls has no entries (only blank lines or # comments), nothing to download: '{shown}'.");
                return ExitCodes.BadUsage;
            }

            DownloadReport? report = null;
            if (settings.ReportPath is { } reportPath)
            {
                try
                {
                    report = DownloadReport.Create(reportPath, shown, settings.Output, DateTimeOffset.UtcNow);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    await error.WriteLineAsync($"--report file cannot be created: '{reportPath}': {ex.Message}");
                    return ExitCodes.BadUsage;
                }
            }

            await using (report)
            {
                IAnsiConsole? dashboard = null;
                if (settings.Dashboard)
                {
                    if (Console.IsOutputRedirected)
                    {
                        await error.WriteLineAsync("stdout is not a terminal: plain lines instead of the dashboard.");
                    }
                    else
                    {
                        dashboard = AnsiConsole.Console;
                    }
                }

                var summary = await DownloadRunner.RunAsync(settings, output, dashboard, signal, notices: error, report: report);
                return summary.ExitCode;
            }
        }
        finally
        {
            if (spooled is not null)
            {
                File.Delete(spooled);
            }
        }
    }
}
