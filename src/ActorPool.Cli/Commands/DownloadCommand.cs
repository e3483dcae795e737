using System.CommandLine;
using ActorPool.Cli.Download;
using Spectre.Console;

namespace ActorPool.Cli.Commands;

/// <summary><c>actorpool download</c>: fetches a list of URLs through the validate → download → checksum pipeline.</summary>
internal static class DownloadCommand
{
    public static Command Create(TextWriter output, ShutdownSignal signal)
    {
        var urls = new Option<string>("--urls", "-u")
        {
            Description = "The URL file: one URL a line, optionally followed by its SHA-256; blank lines and # comments are skipped.",
            Required = true,
        };
        urls.Validators.Add(r =>
        {
            var path = r.GetValueOrDefault<string>();
            if (!File.Exists(path))
            {
                r.AddError($"--urls file not found: '{path}'.");
            }
        });
        var options = new DownloadOptions();
        var command = new Command("download", "Download the files listed in a URL file concurrently, with limits, retries, checksums and graceful Ctrl+C.")
        {
            urls,
        };
        options.AddTo(command);
        command.SetAction((parse, _) =>
        {
            var settings = options.Read(parse, parse.GetValue(urls)!);
            return RunAsync(settings, output, signal);
        });
        return command;
    }

    /// <summary>Runs the download with the dashboard when asked for and stdout is a terminal.</summary>
    internal static async Task<int> RunAsync(DownloadSettings settings, TextWriter output, ShutdownSignal signal)
    {
        try
        {
            Directory.CreateDirectory(settings.Output);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"--output folder cannot be created: '{settings.Output}': {ex.Message}");
            return ExitCodes.BadUsage;
        }

        IAnsiConsole? dashboard = null;
        if (settings.Dashboard)
        {
            if (Console.IsOutputRedirected)
            {
                await output.WriteLineAsync("stdout is not a terminal: plain lines instead of the dashboard.");
            }
            else
            {
                dashboard = AnsiConsole.Console;
            }
        }

        var summary = await DownloadRunner.RunAsync(settings, output, dashboard, signal);
        return summary.ExitCode;
    }
}
