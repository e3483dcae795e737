using ActorPool.Benchmarks.Suite;
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

        if (args.Length > 0 && args[0] == "--alloc")
        {
            return await AllocationProfile.RunAsync(Console.Out, args[1..]);
        }

        var metrics = SideMetrics.UseFreshFolder();
        try
        {
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        }
        finally
        {
            if (Directory.Exists(metrics))
            {
                Directory.Delete(metrics, recursive: true);
            }
        }

        return 0;
    }
}
