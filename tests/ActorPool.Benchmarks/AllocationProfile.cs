using System.Diagnostics.Tracing;
using System.Globalization;
using ActorPool.Benchmarks.Contenders;

namespace ActorPool.Benchmarks;

/// <summary>
/// Where a contender's bytes per task go, by type: the runtime's own allocation-tick events (one
/// per ~100 KB allocated, naming the type whose allocation crossed the mark) summed per type over
/// a closed-loop run of no-op tasks, as the overhead row drives it. A sample, not an exact count:
/// types that make up less than a few bytes per task may be missing or over-weighted.
/// </summary>
internal static class AllocationProfile
{
    private const int Tasks = 1_000_000;

    /// <param name="output">Where the table goes.</param>
    /// <param name="args">The contender's name as the tables show it, then optionally the worker count (default 2).</param>
    public static async Task<int> RunAsync(TextWriter output, IReadOnlyList<string> args)
    {
        if (args.Count is < 1 or > 2 || !ContenderCatalog.Names.Contains(args[0], StringComparer.Ordinal))
        {
            Console.Error.WriteLine($"Usage: --alloc \"CONTENDER\" [WORKERS]; contenders: {string.Join(", ", ContenderCatalog.Names.Select(n => $"\"{n}\""))}");
            return 2;
        }

        var workers = 2;
        if (args.Count == 2 && (!int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out workers) || workers < 1))
        {
            Console.Error.WriteLine($"WORKERS must be a whole number from 1; was: '{args[1]}'.");
            return 2;
        }

        await using var contender = ContenderCatalog.Create(args[0], workers);
        await contender.RunAllAsync(Tasks / 10, Workloads.NoOp); // warm-up: JIT, thread pool growth

        using var listener = new AllocationTicks();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await contender.RunAllAsync(Tasks, Workloads.NoOp);
        var total = GC.GetTotalAllocatedBytes(precise: true) - before;
        var byType = listener.Stop();

        output.WriteLine($"{args[0]}, {workers} workers, {Tasks:N0} no-op tasks: {(double)total / Tasks:F0} B/task allocated on all threads; sampled by type:");
        output.WriteLine();
        output.WriteLine("| type | B/task (sampled) |");
        output.WriteLine("| --- | ---: |");
        foreach (var (type, bytes) in byType.OrderByDescending(p => p.Value).Where(p => p.Value / (double)Tasks >= 1))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| `{type}` | {bytes / (double)Tasks:F0} |"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| (all sampled) | {byType.Values.Sum() / (double)Tasks:F0} |"));
        return 0;
    }

    /// <summary>Sums the runtime's GCAllocationTick events by type name while it is alive.</summary>
    private sealed class AllocationTicks : EventListener
    {
        private const EventKeywords GcKeyword = (EventKeywords)0x1;
        private readonly Lock _lock = new();
        private readonly Dictionary<string, long> _byType = new(StringComparer.Ordinal);
        private bool _stopped;

        /// <summary>Stops counting and returns the sampled bytes by type.</summary>
        public Dictionary<string, long> Stop()
        {
            lock (_lock)
            {
                _stopped = true;
                return new Dictionary<string, long>(_byType, StringComparer.Ordinal);
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is not { } payload)
            {
                return;
            }

            var index = eventData.PayloadNames?.IndexOf("AllocationAmount64") ?? -1;
            var typeIndex = eventData.PayloadNames?.IndexOf("TypeName") ?? -1;
            if (index < 0 || typeIndex < 0)
            {
                return;
            }

            var bytes = Convert.ToInt64(payload[index], CultureInfo.InvariantCulture);
            var type = payload[typeIndex] as string ?? "?";
            lock (_lock)
            {
                if (!_stopped)
                {
                    _byType[type] = _byType.GetValueOrDefault(type) + bytes;
                }
            }
        }
    }
}
