using BenchmarkDotNet.Running;

namespace ActorPool.Benchmarks;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--quick")
        {
            return await QuickRun.RunAsync(Console.Out, args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
