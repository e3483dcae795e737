using System.CommandLine;
using ActorPool.Cli.Commands;

namespace ActorPool.Cli;

/// <summary>The <c>actorpool</c> entry point.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("ActorPool: an actor-model worker pool on Akka.NET.")
        {
            RunCommand.Create(Console.Out),
            ServeCommand.Create(Console.Out),
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

        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = ServeCommand.ShutdownGrace });
    }
}
