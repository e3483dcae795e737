using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using ActorPool.Benchmarks.Contenders;
using ActorPool.Benchmarks.Scenarios;

namespace ActorPool.Benchmarks;

/// <summary>
/// Every row of issues 10, 12, 13, 17 and 18 with plain stopwatches, baselines in the same run, printed as a Markdown
/// table with each ratio and target. BenchmarkDotNet's suite measures the same rows with more
/// care; this mode is for a quick look and for CI's smoke run, so it asserts no timing: it exits
/// 1 only when a row could not be measured at all (an exception, or callers never completed).
/// </summary>
internal static class QuickRun
{
    private const int OverheadTasks = 200_000;
    private const int QueuedTasks = 200_000;
    private const int LatencyRequests = 5_000;
    private const int Repetitions = 3;

    /// <summary>Rounds of the overhead row, each running every contender once in a rotated order.</summary>
    private const int OverheadRounds = 5;
    private const int ClusterNoOpTasks = 100_000;
    private const int DurableNoOpTasks = 20_000;
    private const int DashboardRounds = 15;
    private const int DashboardTasks = 500_000; // a page open polls once or twice in a run

    private static readonly string[] WallContenders =
    [
        ChannelsPool.CountedName,
        ChannelsPool.CompletionName,
        ActorPoolContender.SubmitName,
        ActorPoolContender.RunName,
        AkkaRoundRobinContender.ContenderName,
        DataflowContender.ContenderName,
        ParallelForEachContender.ContenderName,
    ];

    /// <param name="output">Where the table goes as rows are measured.</param>
    /// <param name="args">Section numbers to run ("1".."9", none for all) and <c>--markdown FILE</c> to also write the finished table there.</param>
    public static async Task<int> RunAsync(TextWriter output, IReadOnlyList<string> args)
    {
        var sections = new List<string>();
        string? markdown = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--markdown" && i + 1 < args.Count)
            {
                markdown = args[++i];
            }
            else if (args[i] is [>= '1' and <= '9'])
            {
                sections.Add(args[i]);
            }
            else
            {
                Console.Error.WriteLine($"Unknown quick-mode argument '{args[i]}'. Usage: --quick [1-9 ...] [--markdown FILE]");
                return 2;
            }
        }

        bool Runs(string section) => sections.Count == 0 || sections.Contains(section);

        var total = Stopwatch.StartNew();
        var table = new Table(output);
        table.Header();
        var failed = false;
        var took = new List<string>();
        async Task Section(string number, string workload, Func<Task> run)
        {
            if (!Runs(number))
            {
                return;
            }

            var clock = Stopwatch.StartNew();
            try
            {
                await run();
                took.Add(string.Create(CultureInfo.InvariantCulture, $"{number}: {clock.Elapsed.TotalSeconds:F1} s"));
            }
            catch (Exception ex)
            {
                failed = true;
                table.Row(workload, "(failed)", $"{ex.GetType().Name}: {ex.Message}", "");
            }
        }

        await Section("1", "1. overhead", async () =>
        {
            await OverheadAsync(table, workers: 2);
            await OverheadAsync(table, workers: 8);
        });
        await Section("2", "2. I/O", () => WallAsync(table, Row.IoBound, $"2. I/O 2,000 x 10 ms, 100 workers", workers: 100, tasks: 2_000, Workloads.Io10Ms, WallContenders));
        await Section("3", "3. CPU", () => WallAsync(table, Row.CpuBound, $"3. CPU 20,000 x 50 us, 2 workers", workers: 2, tasks: 20_000, Workloads.Cpu50Us, WallContenders[..4]));
        await Section("4", "4. latency", async () =>
        {
            foreach (var workers in LatencyScenario.WorkerCounts)
            {
                await LatencyAsync(table, workers);
            }
        });
        await Section("5", "5. cancel to stopped", () => CancelAsync(table));
        await Section("6", "6. bytes per queued task", () => QueuedAsync(table));
        await Section("7", "7. cluster", () => ClusterAsync(table));
        await Section("8", "8. durable", () => DurableAsync(table));
        await Section("9", "9. dashboard", () => DashboardAsync(table));
        table.Legend();
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Quick run took {total.Elapsed.TotalSeconds:F0} s ({string.Join(", ", took)})."));

        if (markdown is not null)
        {
            await File.WriteAllTextAsync(markdown, table.Markdown);
            output.WriteLine($"Table written to {markdown}.");
        }

        return failed ? 1 : 0;
    }

    private static async Task OverheadAsync(Table table, int workers)
    {
        // Every contender lives through all rounds and each round rotates the order: a no-op run's
        // rate climbs over a process's first minutes here, which favoured whoever ran last.
        var names = ContenderCatalog.Names;
        var contenders = names.Select(name => ContenderCatalog.Create(name, workers)).ToArray();
        var runs = names.Select(_ => new List<(double Rate, double Bytes, double Gen2)>()).ToArray();
        try
        {
            foreach (var contender in contenders)
            {
                await contender.RunAllAsync(OverheadTasks / 10, Workloads.NoOp); // warm-up: JIT, thread pool growth
            }

            for (var round = 0; round < OverheadRounds; round++)
            {
                for (var i = 0; i < contenders.Length; i++)
                {
                    var at = (i + round) % contenders.Length;
                    runs[at].Add(await MeasureThroughputAsync(contenders[at], OverheadTasks, Workloads.NoOp));
                }
            }
        }
        finally
        {
            foreach (var contender in contenders)
            {
                await contender.DisposeAsync();
            }
        }

        var figures = new Figures();
        for (var i = 0; i < names.Length; i++)
        {
            figures.Set(names[i], Measure.Throughput, Median(runs[i].Select(r => r.Rate)));
            figures.Set(names[i], Measure.BytesPerTask, Median(runs[i].Select(r => r.Bytes)));
            figures.Set(names[i], Measure.Gen2, Median(runs[i].Select(r => r.Gen2)));
        }

        foreach (var name in ContenderCatalog.Names)
        {
            var result = string.Create(CultureInfo.InvariantCulture, $"{figures.Get(name, Measure.Throughput) / 1e6:F2}M tasks/s, {figures.Get(name, Measure.BytesPerTask):F0} B/task, {figures.Get(name, Measure.Gen2):F0} gen2");
            table.Row($"1. overhead, {OverheadTasks / 1000}k no-op, {workers} workers", name, result, Target.Cell(Row.Overhead, name, figures.Get));
        }
    }

    private static async Task<(double Rate, double BytesPerTask, double Gen2)> MeasureThroughputAsync(IContender contender, int tasks, Func<CancellationToken, Task> work)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // All threads' allocations (the pools allocate on their workers, not on this thread), and
        // gen2 collections the run itself caused.
        var gen2 = GC.CollectionCount(2);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        await contender.RunAllAsync(tasks, work);
        clock.Stop();
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        return (tasks / clock.Elapsed.TotalSeconds, (double)bytes / tasks, GC.CollectionCount(2) - gen2);
    }

    private static async Task WallAsync(Table table, Row row, string workload, int workers, int tasks, Func<CancellationToken, Task> work, IReadOnlyList<string> contenders)
    {
        var figures = new Figures();
        var elapsed = new Dictionary<string, TimeSpan>();
        foreach (var name in contenders)
        {
            await using var contender = ContenderCatalog.Create(name, workers);
            await contender.RunAllAsync(Math.Max(workers, tasks / 20), work);
            var runs = new List<TimeSpan>();
            for (var i = 0; i < Repetitions; i++)
            {
                var clock = Stopwatch.StartNew();
                await contender.RunAllAsync(tasks, work);
                runs.Add(clock.Elapsed);
            }

            elapsed[name] = TimeSpan.FromMilliseconds(Median(runs.Select(r => r.TotalMilliseconds)));
            figures.Set(name, Measure.Throughput, tasks / elapsed[name].TotalSeconds);
        }

        var ideal = row == Row.CpuBound
            ? TimeSpan.FromTicks(tasks * 500L / Math.Min(workers, Environment.ProcessorCount))
            : TimeSpan.Zero;
        foreach (var name in contenders)
        {
            var result = row == Row.CpuBound
                ? string.Create(CultureInfo.InvariantCulture, $"{elapsed[name].TotalMilliseconds:F0} ms, efficiency {ideal / elapsed[name] * 100:F0} %")
                : string.Create(CultureInfo.InvariantCulture, $"{elapsed[name].TotalMilliseconds:F0} ms (ideal 200, timer floor ~244)");
            table.Row(workload, name, result, Target.Cell(row, name, figures.Get));
        }
    }

    private static async Task LatencyAsync(Table table, int workers)
    {
        var figures = new Figures();
        var results = new Dictionary<string, Latency>();
        var roundTrip = TimeSpan.Zero;
        var splits = new Dictionary<string, (TimeSpan ToStart, TimeSpan Back)>();
        foreach (var name in LatencyScenario.Contenders)
        {
            await using var scenario = new LatencyScenario(name, workers);
            await scenario.RunPacedAsync(LatencyRequests); // warm-up
            var rounds = new List<Latency>();
            for (var i = 0; i < Repetitions; i++)
            {
                rounds.Add(await scenario.RunPacedAsync(LatencyRequests));
            }

            results[name] = new Latency(
                TimeSpan.FromMicroseconds(Median(rounds.Select(r => r.P50.TotalMicroseconds))),
                TimeSpan.FromMicroseconds(Median(rounds.Select(r => r.P99.TotalMicroseconds))));
            figures.Set(name, Measure.P50, results[name].P50.TotalMicroseconds);
            figures.Set(name, Measure.P99, results[name].P99.TotalMicroseconds);
            if (name == ActorPoolContender.RunName)
            {
                roundTrip = await scenario.SequentialRoundTripAsync(LatencyRequests);
            }

            if (name != AkkaRoundRobinContender.ContenderName)
            {
                splits[name] = await scenario.RunSplitAsync(LatencyRequests);
            }
        }

        var workload = $"4. latency at 10,000 tasks/s, {workers} workers ({LatencyRequests:N0} per round)";
        foreach (var name in LatencyScenario.Contenders)
        {
            table.Row(workload, name, results[name].ToString(), Target.Cell(Row.Latency, name, figures.Get));
        }

        foreach (var (name, split) in splits)
        {
            table.Row($"4. latency at 10,000 tasks/s, {workers} workers, split where the task starts (one round)", name, string.Create(CultureInfo.InvariantCulture, $"p50 call to start {split.ToStart.TotalMicroseconds:F0} us, start to caller resumed {split.Back.TotalMicroseconds:F0} us"), "");
        }

        table.Row($"4. latency, one request at a time, {workers} workers", ActorPoolContender.RunName, string.Create(CultureInfo.InvariantCulture, $"p50 {roundTrip.TotalMicroseconds:F1} us"), "");
    }

    private static async Task CancelAsync(Table table)
    {
        var figures = new Figures();
        var results = new Dictionary<string, (double Ms, double Exceptions)>();
        foreach (var name in CancelScenario.Contenders)
        {
            var runs = new List<CancelResult>();
            for (var i = 0; i < Repetitions; i++)
            {
                await using var scenario = await CancelScenario.PrepareAsync(name);
                runs.Add(await scenario.CancelAndWaitAsync());
            }

            results[name] = (Median(runs.Select(r => r.Elapsed.TotalMilliseconds)), Median(runs.Select(r => (double)r.Exceptions)));
            figures.Set(name, Measure.Milliseconds, results[name].Ms);
        }

        var workload = $"5. cancel to stopped, {CancelScenario.Busy} busy, {CancelScenario.Pending:N0} pending";
        foreach (var name in CancelScenario.Contenders)
        {
            var result = string.Create(CultureInfo.InvariantCulture, $"{results[name].Ms:F2} ms, {results[name].Exceptions:F0} exceptions");
            table.Row(workload, name, result, Target.Cell(Row.CancelToStopped, name, figures.Get));
        }
    }

    private static async Task QueuedAsync(Table table)
    {
        var figures = new Figures();
        foreach (var name in QueuedScenario.Contenders)
        {
            var runs = new List<double>();
            for (var i = 0; i < Repetitions; i++)
            {
                await using var scenario = await QueuedScenario.PrepareAsync(name);
                await scenario.EnqueueAsync(QueuedTasks);
                runs.Add(scenario.RetainedBytesPerTask());
            }

            figures.Set(name, Measure.QueuedBytes, Median(runs));
        }

        foreach (var name in QueuedScenario.Contenders)
        {
            var result = string.Create(CultureInfo.InvariantCulture, $"{figures.Get(name, Measure.QueuedBytes):F0} B/queued task");
            table.Row($"6. bytes per queued task, {QueuedTasks / 1000}k queued", name, result, Target.Cell(Row.QueuedMemory, name, figures.Get));
        }
    }

    /// <summary>Issue 12's rows: one cluster of four actor systems in this process serves both.</summary>
    private static async Task ClusterAsync(Table table)
    {
        var figures = new Figures();
        var name = ClusterScenario.ContenderName;
        await using var cluster = await ClusterScenario.StartAsync();

        await cluster.RunNoOpAsync(ClusterNoOpTasks / 10); // warm-up: JIT, connections, the batch sizer's view of task times
        var rates = new List<double>();
        for (var i = 0; i < Repetitions; i++)
        {
            var clock = Stopwatch.StartNew();
            await cluster.RunNoOpAsync(ClusterNoOpTasks);
            rates.Add(ClusterNoOpTasks / clock.Elapsed.TotalSeconds);
        }

        figures.Set(name, Measure.Throughput, Median(rates));
        table.Row(
            $"7. cluster no-op, {ClusterNoOpTasks / 1000}k named tasks, {ClusterScenario.WorkerNodes} worker nodes x {ClusterScenario.WorkersPerNode}, submitted from a node with no workers",
            name,
            string.Create(CultureInfo.InvariantCulture, $"{figures.Get(name, Measure.Throughput) / 1e3:F1}k tasks/s"),
            Target.Cell(Row.ClusterNoOp, name, figures.Get));

        await cluster.RunSleepAsync(ClusterScenario.WallTasks / 10, ClusterScenario.WallDelayMs); // warm-up at this task length
        var walls = new List<double>();
        for (var i = 0; i < Repetitions; i++)
        {
            var clock = Stopwatch.StartNew();
            await cluster.RunSleepAsync(ClusterScenario.WallTasks, ClusterScenario.WallDelayMs);
            walls.Add(clock.Elapsed.TotalMilliseconds);
        }

        var wall = Median(walls);
        figures.Set(name, Measure.TimesIdeal, wall / ClusterScenario.Ideal.TotalMilliseconds);
        table.Row(
            $"7. cluster wall time, {ClusterScenario.WallTasks:N0} x {ClusterScenario.WallDelayMs} ms, {ClusterScenario.WorkerNodes} nodes x {ClusterScenario.WorkersPerNode} workers",
            name,
            string.Create(CultureInfo.InvariantCulture, $"{wall:F0} ms (ideal {ClusterScenario.Ideal.TotalMilliseconds:F0})"),
            Target.Cell(Row.ClusterWall, name, figures.Get));
    }

    /// <summary>Issue 13's rows: a durable pool on a SQLite file on local disk, then recoveries of a prepared journal.</summary>
    private static async Task DurableAsync(Table table)
    {
        var figures = new Figures();
        var name = DurableScenario.ContenderName;
        await using var durable = DurableScenario.Start();

        await durable.RunNoOpAsync(DurableNoOpTasks / 10); // warm-up: JIT, the file's first pages, the batch sizer
        var runs = new List<(TimeSpan Accepted, TimeSpan Ran)>();
        for (var i = 0; i < Repetitions; i++)
        {
            runs.Add(await durable.RunNoOpAsync(DurableNoOpTasks));
        }

        var accepted = Median(runs.Select(r => DurableNoOpTasks / r.Accepted.TotalSeconds));
        figures.Set(name, Measure.Throughput, Median(runs.Select(r => DurableNoOpTasks / r.Ran.TotalSeconds)));
        table.Row(
            $"8. durable no-op, {DurableNoOpTasks / 1000}k named tasks by SubmitManyAsync, {DurableScenario.Workers} workers, SQLite file in {DurableScenario.Disk}",
            name,
            string.Create(CultureInfo.InvariantCulture, $"accepted {accepted / 1e3:F1}k tasks/s, run {figures.Get(name, Measure.Throughput) / 1e3:F1}k tasks/s"),
            Target.Cell(Row.DurableNoOp, name, figures.Get));

        var template = await durable.PrepareRecoveryJournalAsync();
        await durable.RecoverAsync(template); // warm-up
        var recoveries = new List<(TimeSpan ReadBack, TimeSpan Resumed)>();
        for (var i = 0; i < Repetitions; i++)
        {
            recoveries.Add(await durable.RecoverAsync(template));
        }

        table.Row(
            $"8. durable recovery, a new pool reading back {DurableScenario.RecoveredOutcomes:N0} outcomes and {DurableScenario.UnfinishedTasks:N0} unfinished tasks",
            name,
            string.Create(CultureInfo.InvariantCulture, $"read back in {Median(recoveries.Select(r => r.ReadBack.TotalMilliseconds)):F0} ms, unfinished run again by {Median(recoveries.Select(r => r.Resumed.TotalMilliseconds)):F0} ms"),
            "");
    }

    /// <summary>
    /// Issue 18's rows. The three throughput contenders share one pool and take turns in rounds,
    /// each round in a rotated order; a no-op run's rate drifts by half over a process's life on
    /// this machine (a phase of the thread pool, alike for all three), so each ratio is the median
    /// of the ratios within a round, not a ratio of medians.
    /// </summary>
    private static async Task DashboardAsync(Table table)
    {
        var figures = new Figures();
        var names = new[] { DashboardScenario.NoDashboardName, DashboardScenario.ClosedName, DashboardScenario.OpenName };
        var rounds = new List<Dictionary<string, double>>();
        await using (var contender = ContenderCatalog.Create(ActorPoolContender.RunName, workers: 2))
        {
            var pool = ((ActorPoolContender)contender).Pool;
            await contender.RunAllAsync(OverheadTasks / 10, Workloads.NoOp); // warm-up, and the pages' JIT: a live server has served them before
            await using (var warm = await DashboardScenario.StartAsync(pool))
            {
                await (await warm.OpenPageAsync()).DisposeAsync();
            }

            for (var round = 0; round < DashboardRounds; round++)
            {
                var rates = new Dictionary<string, double>();
                for (var turn = 0; turn < names.Length; turn++)
                {
                    var name = names[(round + turn) % names.Length];
                    await using var dashboard = name == DashboardScenario.NoDashboardName ? null : await DashboardScenario.StartAsync(pool);
                    await using var page = name == DashboardScenario.OpenName ? await dashboard!.OpenPageAsync() : null;
                    rates[name] = (await MeasureThroughputAsync(contender, DashboardTasks, Workloads.NoOp)).Rate;
                }

                rounds.Add(rates);
            }
        }

        // Figures whose ratios are the paired ones: closed = none x median(closed / none), and so on.
        var none = Median(rounds.Select(r => r[DashboardScenario.NoDashboardName]));
        var closed = none * Median(rounds.Select(r => r[DashboardScenario.ClosedName] / r[DashboardScenario.NoDashboardName]));
        var open = closed * Median(rounds.Select(r => r[DashboardScenario.OpenName] / r[DashboardScenario.ClosedName]));
        figures.Set(DashboardScenario.NoDashboardName, Measure.Throughput, none);
        figures.Set(DashboardScenario.ClosedName, Measure.Throughput, closed);
        figures.Set(DashboardScenario.OpenName, Measure.Throughput, open);
        foreach (var name in names)
        {
            var spread = rounds.Select(r => r[name]).ToList();
            table.Row(
                $"9. dashboard, {DashboardTasks / 1000}k no-op, 2 workers, {DashboardRounds} rounds, ratios paired within a round",
                name,
                string.Create(CultureInfo.InvariantCulture, $"median {Median(spread) / 1e6:F2}M tasks/s (rounds {spread.Min() / 1e6:F2}-{spread.Max() / 1e6:F2}M)"),
                Target.Cell(Row.DashboardOpen, name, figures.Get));
        }

        var paging = await DashboardScenario.PageFailedListAsync();
        figures.Set(DashboardScenario.PagingName, Measure.P95, paging.P95Ms);
        figures.Set(DashboardScenario.PagingName, Measure.Megabytes, paging.WorkingSetGrowthMb);
        table.Row(
            $"9. dashboard, failed list of {DashboardScenario.FailedTasks:N0} failed tasks on a durable pool (SQLite), {DashboardScenario.PageRequests} pages of {DashboardScenario.PageSize} anywhere in the list",
            DashboardScenario.PagingName,
            string.Create(CultureInfo.InvariantCulture, $"p50 {paging.P50Ms:F1} ms, p95 {paging.P95Ms:F1} ms; working set +{paging.WorkingSetGrowthMb:F1} MB at peak, heap +{paging.HeapGrowthMb:F1} MB after"),
            Target.Cell(Row.DashboardPaging, DashboardScenario.PagingName, figures.Get));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>One row group's figures, by contender and measure, for the targets to compare.</summary>
    private sealed class Figures
    {
        private readonly Dictionary<(string, Measure), double> _values = [];

        public void Set(string contender, Measure measure, double value) => _values[(contender, measure)] = value;

        public double? Get(string contender, Measure measure) =>
            _values.TryGetValue((contender, measure), out var value) ? value : null;
    }

    /// <summary>Prints rows as they are measured and keeps the whole table for <c>--markdown</c>.</summary>
    private sealed class Table(TextWriter output)
    {
        private readonly StringBuilder _markdown = new();

        public string Markdown => _markdown.ToString();

        public void Header()
        {
            Write($"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.FrameworkDescription}{LoadAverage()}");
            Write($"Quick mode: medians of {Repetitions} runs per row; the overhead row runs {OverheadTasks:N0} tasks, medians of {OverheadRounds} rounds that each run every contender in a rotated order, and the queued row queues {QueuedTasks:N0} (the issue's rows: 1,000,000).");
            Write($"Every pool has its default options (only Workers set) unless its name says otherwise; per-call contenders are driven by {Contenders.ClosedLoop.Callers:N0} callers, each awaiting its call before the next.");
            Write("");
            Write("| workload | contender | result | vs baseline / target |");
            Write("| --- | --- | --- | --- |");
        }

        public void Row(string workload, string contender, string result, string comparison) =>
            Write($"| {workload} | {contender} | {result} | {comparison} |");

        public void Legend()
        {
            Write("");
            Write("vs baseline / target: \"vs X r\" is the contender's throughput over X's, measured in the same run (higher is better);");
            Write("\"time vs\", \"B/queued vs\", \"p50 vs\", \"p99 vs\" are the contender's cost over X's (lower is better).");
            Write("Each target of issue 10 (rows 1-6), issue 12 (row 7), issue 13 (row 8) and issue 18 (row 9) is shown as \"figure op limit met|missed\"; B/task counts all threads' allocations,");
            Write("gen2 the collections during the measured run, exceptions the first-chance exceptions from cancel to stopped.");
        }

        private static string LoadAverage()
        {
            // A loaded machine moves every figure; say how loaded it was when the run began.
            const string LoadFile = "/proc/loadavg";
            return File.Exists(LoadFile) ? $", load average {File.ReadAllText(LoadFile).Split(' ')[0]} at start" : "";
        }

        private void Write(string line)
        {
            output.WriteLine(line);
            _markdown.Append(line).Append('\n');
        }
    }
}
