using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ActorPool.Benchmarks.Contenders;

namespace ActorPool.Benchmarks;

/// <summary>
/// A one-minute run of every workload with plain stopwatches, printed as a Markdown table of
/// ActorPool against each baseline. BenchmarkDotNet's full suite measures the same workloads
/// with more care; this mode is for a quick look and for CI's smoke test.
/// </summary>
internal static class QuickRun
{
    private const int OverheadTasks = 200_000;
    private const int QueuedTasks = 200_000;

    /// <param name="output">Where the table goes.</param>
    /// <param name="sections">Workload numbers to run ("1".."6"); empty for all.</param>
    public static async Task<int> RunAsync(TextWriter output, IReadOnlyCollection<string> sections)
    {
        bool Runs(string section) => sections.Count == 0 || sections.Contains(section);

        var table = new Table(output);
        output.WriteLine($"# ActorPool quick benchmark ({Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.FrameworkDescription})");
        output.WriteLine();
        table.Header();

        foreach (var workers in Runs("1") ? new[] { 2, 8 } : [])
        {
            var baselines = new Dictionary<string, double>();
            foreach (var name in ContenderCatalog.Names)
            {
                var (rate, bytes) = await MeasureThroughputAsync(name, workers, OverheadTasks, Workloads.NoOp);
                baselines[name] = rate;
                var against = name switch
                {
                    ActorPoolContender.RunName => ChannelsPool.CompletionName,
                    _ => ChannelsPool.CountedName,
                };
                var ratio = name == against ? null : (double?)(rate / baselines[against]);
                table.Row($"1. overhead, {workers} workers", name, $"{rate / 1e6:F2}M tasks/s, {bytes:F0} B/task", ratio, against);
            }
        }

        var io = new Dictionary<string, TimeSpan>();
        foreach (var name in Runs("2") ? [ChannelsPool.CountedName, ActorPoolContender.SubmitName, ActorPoolContender.RunName, DataflowContender.ContenderName, ParallelForEachContender.ContenderName, AkkaRoundRobinContender.ContenderName] : Array.Empty<string>())
        {
            io[name] = await MeasureWallAsync(name, workers: 100, tasks: 2_000, Workloads.Io10Ms);
            var ratio = name == ChannelsPool.CountedName ? null : (double?)(io[ChannelsPool.CountedName] / io[name]);
            table.Row("2. I/O 2,000 x 10 ms, 100 workers", name, $"{io[name].TotalMilliseconds:F0} ms (ideal 200, timer floor ~244)", ratio, ChannelsPool.CountedName);
        }

        var ideal = TimeSpan.FromTicks(20_000 * 500 / Math.Min(2, Environment.ProcessorCount));
        var cpu = new Dictionary<string, TimeSpan>();
        foreach (var name in Runs("3") ? [ChannelsPool.CountedName, ActorPoolContender.SubmitName, ActorPoolContender.RunName, DataflowContender.ContenderName, ParallelForEachContender.ContenderName] : Array.Empty<string>())
        {
            cpu[name] = await MeasureWallAsync(name, workers: 2, tasks: 20_000, Workloads.Cpu50Us);
            var ratio = name == ChannelsPool.CountedName ? null : (double?)(cpu[ChannelsPool.CountedName] / cpu[name]);
            table.Row("3. CPU 20,000 x 50 us, 2 workers", name, $"{cpu[name].TotalMilliseconds:F0} ms, efficiency {ideal / cpu[name]:P0}", ratio, ChannelsPool.CountedName);
        }

        if (Runs("4"))
        {
            await LatencyAsync(table);
        }

        if (Runs("5"))
        {
            await ShutdownAsync(table);
        }

        if (Runs("6"))
        {
            await MemoryAsync(table);
        }

        output.WriteLine();
        output.WriteLine("Ratio: ActorPool (or the contender) against the named baseline; above 1.00 is faster or smaller.");
        return 0;
    }

    private static async Task LatencyAsync(Table table)
    {
        var channelLatency = await MeasureChannelsLatencyAsync();
        var poolLatency = await MeasurePoolLatencyAsync();
        table.Row("4. latency at 10,000 tasks/s", ChannelsPool.CompletionName, channelLatency.ToString(), null, "");
        table.Row("4. latency at 10,000 tasks/s", ActorPoolContender.RunName, poolLatency.ToString(), channelLatency.P50 / poolLatency.P50, ChannelsPool.CompletionName + " (p50)");
        var roundTrip = await SequentialRoundTripAsync();
        table.Row("4. latency, one at a time", ActorPoolContender.RunName, $"p50 {roundTrip.TotalMicroseconds:F1} us", null, "");
    }

    private static async Task ShutdownAsync(Table table)
    {
        var channelStop = await MeasureChannelsShutdownAsync();
        var poolStop = await MeasurePoolShutdownAsync();
        table.Row("5. cancel to stopped, 100 busy", ChannelsPool.CountedName, $"{channelStop.TotalMilliseconds:F2} ms", null, "");
        table.Row("5. cancel to stopped, 100 busy", "ActorPool StopAsync", $"{poolStop.TotalMilliseconds:F2} ms", channelStop / poolStop, ChannelsPool.CountedName);
    }

    private static async Task MemoryAsync(Table table)
    {
        var channelBytes = await MeasureChannelsQueuedBytesAsync();
        var poolBytes = await MeasurePoolQueuedBytesAsync();
        table.Row($"6. memory, {QueuedTasks:N0} queued", ChannelsPool.CompletionName, $"{channelBytes:F0} B/task", null, "");
        table.Row($"6. memory, {QueuedTasks:N0} queued", ActorPoolContender.SubmitName, $"{poolBytes:F0} B/task", channelBytes / poolBytes, ChannelsPool.CompletionName);
    }

    private static async Task<(double Rate, double BytesPerTask)> MeasureThroughputAsync(string name, int workers, int tasks, Func<CancellationToken, Task> work)
    {
        await using var contender = ContenderCatalog.Create(name, workers);
        await contender.RunAllAsync(tasks / 10, work); // warm-up: JIT, thread pool growth
        GC.Collect();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        await contender.RunAllAsync(tasks, work);
        clock.Stop();
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        return (tasks / clock.Elapsed.TotalSeconds, (double)bytes / tasks);
    }

    private static async Task<TimeSpan> MeasureWallAsync(string name, int workers, int tasks, Func<CancellationToken, Task> work)
    {
        await using var contender = ContenderCatalog.Create(name, workers);
        await contender.RunAllAsync(Math.Max(workers, tasks / 20), work);
        var clock = Stopwatch.StartNew();
        await contender.RunAllAsync(tasks, work);
        return clock.Elapsed;
    }

    private static async Task<Latency> MeasurePoolLatencyAsync()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 8, MaxRetainedResults = 0 });
        pool.Start();
        return await PacedAsync(async () =>
        {
            var started = Stopwatch.GetTimestamp();
            await pool.RunAsync(static _ => Task.FromResult(true));
            return Stopwatch.GetElapsedTime(started);
        });
    }

    private static async Task<TimeSpan> SequentialRoundTripAsync()
    {
        await using var pool = new WorkerPool(new WorkerPoolOptions { Workers = 8, MaxRetainedResults = 0 });
        pool.Start();
        var samples = new TimeSpan[5_000];
        for (var i = 0; i < samples.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await pool.RunAsync(static _ => Task.FromResult(true));
            samples[i] = Stopwatch.GetElapsedTime(started);
        }

        Array.Sort(samples);
        return samples[samples.Length / 2];
    }

    private static async Task<Latency> MeasureChannelsLatencyAsync()
    {
        await using var pool = new ChannelsPool(8, withCompletion: true);
        return await PacedAsync(async () =>
        {
            var started = Stopwatch.GetTimestamp();
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await pool.EnqueueAsync(Workloads.NoOp, done);
            await done.Task;
            return Stopwatch.GetElapsedTime(started);
        });
    }

    /// <summary>
    /// Issues 10,000 requests a second for a second and returns the latency percentiles of the
    /// last of three rounds (the first ones warm up). Requests go out each millisecond, ten at a
    /// time, because a spinning pacer would take one of the machine's cores.
    /// </summary>
    private static async Task<Latency> PacedAsync(Func<Task<TimeSpan>> request)
    {
        const int Count = 10_000;
        var result = default(Latency);
        for (var round = 0; round < 3; round++)
        {
            var latencies = new Task<TimeSpan>[Count];
            var clock = Stopwatch.StartNew();
            var issued = 0;
            while (issued < Count)
            {
                var due = Math.Min(Count, (int)(clock.Elapsed.TotalSeconds * Count) + 1);
                while (issued < due)
                {
                    latencies[issued++] = request();
                }

                await Task.Delay(1);
            }

            var sorted = (await Task.WhenAll(latencies)).Order().ToArray();
            result = new Latency(sorted[Count / 2], sorted[(int)(Count * 0.99)]);
        }

        return result;
    }

    private static async Task<TimeSpan> MeasurePoolShutdownAsync()
    {
        using var lifetime = new CancellationTokenSource();
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 100 });
        pool.Start(lifetime.Token);
        var started = 0;
        var allBusy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < 100; i++)
        {
            await pool.SubmitAsync(async ct =>
            {
                if (Interlocked.Increment(ref started) == 100)
                {
                    allBusy.TrySetResult();
                }

                await Task.Delay(Timeout.Infinite, ct);
            });
        }

        await allBusy.Task;
        var clock = Stopwatch.StartNew();
        await lifetime.CancelAsync();
        await pool.StopAsync();
        return clock.Elapsed;
    }

    private static async Task<TimeSpan> MeasureChannelsShutdownAsync()
    {
        var pool = new ChannelsPool(100, withCompletion: false);
        var started = 0;
        var allBusy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = pool.RunAllAsync(100, async ct =>
        {
            if (Interlocked.Increment(ref started) == 100)
            {
                allBusy.TrySetResult();
            }

            await Task.Delay(Timeout.Infinite, ct);
        });
        await allBusy.Task;
        var clock = Stopwatch.StartNew();
        await pool.StopAsync();
        var elapsed = clock.Elapsed;
        await pool.DisposeAsync();
        _ = run;
        return elapsed;
    }

    private static async Task<double> MeasurePoolQueuedBytesAsync()
    {
        var pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, QueueSize = 0, MaxRetainedResults = 0 });
        pool.Start();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await pool.SubmitAsync(_ => release.Task);
        var before = SettledMemory();
        for (var i = 0; i < QueuedTasks; i++)
        {
            await pool.SubmitAsync(Workloads.NoOp);
        }

        while (pool.GetStats().Queued < QueuedTasks)
        {
            await Task.Delay(10);
        }

        var bytes = (SettledMemory() - before) / (double)QueuedTasks;
        release.TrySetResult();
        await pool.StopAsync();
        return bytes;
    }

    private static async Task<double> MeasureChannelsQueuedBytesAsync()
    {
        var pool = new ChannelsPool(1, withCompletion: true, capacity: 0);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await pool.EnqueueAsync(_ => release.Task, new TaskCompletionSource());
        var before = SettledMemory();
        var completions = new TaskCompletionSource[QueuedTasks];
        for (var i = 0; i < QueuedTasks; i++)
        {
            completions[i] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await pool.EnqueueAsync(Workloads.NoOp, completions[i]);
        }

        // The array of completions is what a caller keeps to await them; count it too, as the
        // pool keeps its own per-task records.
        var bytes = (SettledMemory() - before) / (double)QueuedTasks;
        release.TrySetResult();
        await pool.DisposeAsync();
        GC.KeepAlive(completions);
        return bytes;
    }

    private static long SettledMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private readonly record struct Latency(TimeSpan P50, TimeSpan P99)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"p50 {P50.TotalMicroseconds:F0} us, p99 {P99.TotalMicroseconds:F0} us");
    }

    private sealed class Table(TextWriter output)
    {
        public void Header()
        {
            output.WriteLine("| workload | contender | result | ratio | against |");
            output.WriteLine("| --- | --- | --- | ---: | --- |");
        }

        public void Row(string workload, string contender, string result, double? ratio, string against) =>
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {workload} | {contender} | {result} | {(ratio is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) : "")} | {(ratio is null ? "" : against)} |"));
    }
}
