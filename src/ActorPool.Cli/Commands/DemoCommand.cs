using System.CommandLine;
using System.Globalization;
using ActorPool.Cli.Demo;
using ActorPool.Cli.Download;

namespace ActorPool.Cli.Commands;

/// <summary><c>actorpool demo</c>: the download manager against a local server, no network or setup needed.</summary>
internal static class DemoCommand
{
    public static Command Create(TextWriter output, TextWriter error, ShutdownSignal signal)
    {
        var options = new DownloadOptions(defaultRateLimit: 16, defaultOutput: string.Empty, defaultWorkers: 4);
        options.Output.Description = "Keep the downloaded files in this folder (default: a temporary folder, removed afterwards).";
        var plain = new Option<bool>("--plain")
        {
            Description = "Plain lines instead of the dashboard, even on a terminal.",
        };
        var command = new Command("demo", "Serve generated files from a local Kestrel server and download them with the dashboard: large, slow, flaky (503 then OK), missing (404) and corrupt files.")
        {
            plain,
        };
        options.AddTo(command);

        // The demo always runs the pipeline with verification and the dashboard.
        options.Pipeline.Hidden = options.Verify.Hidden = options.Dashboard.Hidden = true;
        command.SetAction((parse, _) => RunAsync(
            options.Read(parse, urlFile: string.Empty) with { Pipeline = true, Verify = true, Dashboard = !parse.GetValue(plain) },
            output,
            error,
            signal));
        return command;
    }

    /// <summary>Runs the demo; 0 when every file ended as planned, 1 when not, 130 when interrupted.</summary>
    internal static async Task<int> RunAsync(DownloadSettings settings, TextWriter output, TextWriter error, ShutdownSignal signal)
    {
        var keep = settings.Output.Length > 0;
        var work = Path.Combine(Path.GetTempPath(), $"actorpool-demo-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        var folder = keep ? settings.Output : Path.Combine(work, "downloads");
        try
        {
            await using var server = await FileServer.StartAsync(DemoCatalog.Files);
            var urlFile = Path.Combine(work, "urls.txt");
            await File.WriteAllTextAsync(urlFile, DemoCatalog.UrlFile(server));
            await error.WriteLineAsync($"Demo server on {server.BaseAddress}; URL list written to {urlFile}.");

            // Every file is fetched, even into a kept folder from an earlier demo, so the check below means something.
            var exit = await DownloadCommand.RunAsync(settings with { UrlFile = urlFile, Output = folder, Overwrite = true }, output, error, signal);
            if (exit == ExitCodes.Interrupted)
            {
                return exit;
            }

            return Check(folder, server, output) ? ExitCodes.Success : ExitCodes.SomeFailed;
        }
        finally
        {
            TryDelete(work);
            await error.WriteLineAsync(keep ? $"Files kept in {folder}." : "Temporary files removed; pass --output DIR to keep them.");
        }
    }

    /// <summary>The demo's own check: the right files on disk with the right bytes, the flaky one retried.</summary>
    private static bool Check(string folder, FileServer server, TextWriter output)
    {
        var problems = new List<string>();
        foreach (var file in DemoCatalog.Files)
        {
            var path = Path.Combine(folder, file.Name);
            var shouldExist = file.Name is not (DemoCatalog.Missing or DemoCatalog.Corrupt);
            if (File.Exists(path) != shouldExist)
            {
                problems.Add($"{file.Name} {(shouldExist ? "is missing" : "should not have been saved")}");
            }
            else if (shouldExist && new FileInfo(path).Length != file.Size)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{file.Name} has {new FileInfo(path).Length} bytes, expected {file.Size}"));
            }
        }

        if (Directory.EnumerateFiles(folder, "*.part").Any())
        {
            problems.Add("partial (.part) files were left behind");
        }

        if (server.RequestsFor(DemoCatalog.Flaky) != 2)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{DemoCatalog.Flaky} took {server.RequestsFor(DemoCatalog.Flaky)} requests, expected 2 (503, then a retry)"));
        }

        output.WriteLine();
        if (problems.Count == 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Demo check: OK. {DemoCatalog.SavedFiles} files saved and verified, {DemoCatalog.Flaky} retried after 503, {DemoCatalog.Missing} (404) and {DemoCatalog.Corrupt} (bad checksum) failed as planned, the malformed line reported."));
            return true;
        }

        foreach (var problem in problems)
        {
            output.WriteLine($"Demo check FAILED: {problem}");
        }

        return false;
    }

    private static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A temporary folder; the OS cleans it eventually.
        }
    }
}
