using System.Globalization;

namespace ActorPool.Benchmarks.Suite;

/// <summary>
/// Figures BenchmarkDotNet does not measure itself (latency percentiles, heap held per queued
/// task), carried from the benchmark process to the host's summary columns through a file per
/// benchmark. BenchmarkDotNet runs each benchmark in a child process that inherits the host's
/// environment, so the host names the folder in <see cref="FolderVariable"/>. Benchmarks pass
/// their own class, not <c>GetType()</c>: BenchmarkDotNet runs a generated subclass of it.
/// </summary>
public static class SideMetrics
{
    public const string FolderVariable = "ACTORPOOL_BENCH_METRICS";
    public const string QueuedBytes = "queued-bytes";
    public const string P50Microseconds = "p50-us";
    public const string P99Microseconds = "p99-us";

    private static readonly Dictionary<string, List<double>> Samples = [];

    /// <summary>Records one iteration's figure for the benchmark <paramref name="type"/>.<paramref name="method"/>.</summary>
    public static void Record(Type type, string method, string metric, double value)
    {
        lock (Samples)
        {
            var key = Key(type, method) + "|" + metric;
            if (!Samples.TryGetValue(key, out var list))
            {
                Samples[key] = list = [];
            }

            list.Add(value);
        }
    }

    /// <summary>
    /// Writes the median of each figure recorded for the benchmark, leaving out its first
    /// iteration (BenchmarkDotNet's jitting or first warm-up run) when there are more.
    /// </summary>
    public static void Flush(Type type, string method)
    {
        var prefix = Key(type, method) + "|";
        List<string> lines;
        lock (Samples)
        {
            lines = Samples
                .Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal))
                .Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key[prefix.Length..]}={Median(s.Value.Count > 1 ? s.Value.Skip(1) : s.Value)}"))
                .ToList();
        }

        Directory.CreateDirectory(Folder);
        File.WriteAllLines(Path.Combine(Folder, Key(type, method) + ".txt"), lines);
    }

    /// <summary>Reads a figure written by <see cref="Flush"/>, or null if that benchmark did not record it in this run.</summary>
    public static double? Read(Type type, string method, string metric)
    {
        var file = Path.Combine(Folder, Key(type, method) + ".txt");
        if (!File.Exists(file))
        {
            return null;
        }

        foreach (var line in File.ReadLines(file))
        {
            var parts = line.Split('=', 2);
            if (parts.Length == 2 && parts[0] == metric && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The host calls this once before running: a fresh folder per host process, so figures from an earlier run never show.</summary>
    public static string UseFreshFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"actorpool-bench-metrics-{Environment.ProcessId}");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Environment.SetEnvironmentVariable(FolderVariable, folder);
        return folder;
    }

    private static string Folder =>
        Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } folder
            ? folder
            : Path.Combine(Path.GetTempPath(), "actorpool-bench-metrics");

    private static string Key(Type type, string method) => $"{type.Name}.{method}";

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0
            ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
