using System.CommandLine;
using ActorPool.Cli.Commands;

namespace ActorPool.Cli;

/// <summary>The <c>actorpool</c> entry point.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var signal = ShutdownSignal.FromProcess();
        var exit = await RunAsync(args, Console.Out, Console.Error, signal);
        await Console.Out.FlushAsync(CancellationToken.None);
        return exit;
    }

    /// <summary>Parses and runs one command line: results go to <paramref name="output"/>, usage errors to <paramref name="error"/>.</summary>
    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, ShutdownSignal signal)
    {
        var root = CreateRoot(output, error, signal);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line per distinct problem, each naming the option and the value; no usage dump.
            foreach (var message in parse.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal))
            {
                await error.WriteLineAsync($"{message} See --help.");
            }

            return ExitCodes.BadUsage;
        }

        // Signals are ours (see ShutdownSignal): no forced exit while a command drains and reports.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, Output = output, Error = error }, signal.Graceful);
    }

    /// <summary>The command tree; tests walk it to check every option.</summary>
    internal static RootCommand CreateRoot(TextWriter output, TextWriter error, ShutdownSignal signal) =>
        new RootCommand("ActorPool: an actor-model worker pool on Akka.NET.")
        {
            RunCommand.Create(output, error, signal),
            NodeCommand.Create(output, error, signal),
            ServeCommand.Create(output),
            DownloadCommand.Create(output, error, signal),
            DemoCommand.Create(output, error, signal),
        };
}
