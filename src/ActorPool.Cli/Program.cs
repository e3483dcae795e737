using System.CommandLine;
using ActorPool.Cli.Commands;

namespace ActorPool.Cli;

/// <summary>The <c>actorpool</c> entry point.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var signal = ShutdownSignal.FromProcess();
        var root = new RootCommand("ActorPool: an actor-model worker pool on Akka.NET.")
        {
            RunCommand.Create(Console.Out),
            ServeCommand.Create(Console.Out),
            DownloadCommand.Create(Console.Out, signal),
            DemoCommand.Create(Console.Out, signal),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync(error.Message);
            }

            await Console.Error.WriteLineAsync("Run with --help for usage.");
            return ExitCodes.BadUsage;
        }

        // Signals are ours (see ShutdownSignal): no forced exit while a command drains and reports.
        var exit = await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signal.Graceful);
        await Console.Out.FlushAsync(CancellationToken.None);
        return exit;
    }
}
