using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ActorPool.Cli.Cluster;

namespace ActorPool.Cli.Commands;

/// <summary><c>actorpool run</c>: pushes synthetic tasks through a pool and prints a summary.</summary>
internal static class RunCommand
{
    /// <summary>Retaining more results than this would cost more memory than a demo should.</summary>
    internal const int MaxTasks = 1_000_000;

    /// <summary>Workers are actors, cheap, but each runs a task at once: more than this is not a pool any more.</summary>
    internal const int MaxWorkers = 10_000;

    /// <summary>An hour: a synthetic task standing in for I/O needs no longer.</summary>
    internal const int MaxDelayMs = 3_600_000;

    public static Command Create(TextWriter output, TextWriter error, ShutdownSignal signal)
    {
        var cluster = new Option<bool>("--cluster")
        {
            Description = "Join an ActorPool cluster through --seed and run the tasks on its nodes' workers (named 'sleep' tasks) instead of in this process.",
        };
        var tasks = NumericOption.Int("--tasks", "How many synthetic tasks to run.", 10_000, 0, MaxTasks, "-n");
        var workers = NumericOption.Int(
            "--workers",
            "How many workers run tasks at once; with --cluster, the workers this node adds to the cluster (0 = none: it only submits).",
            Environment.ProcessorCount * 4,
            r => r.GetResult(cluster) is { Implicit: false } ? 0 : 1,
            MaxWorkers,
            "-w");
        var queue = NumericOption.Int("--queue", "How many tasks may wait for a worker; submitting waits when it is full (0 = unbounded).", 1000, 0, MaxTasks, "-q");
        var delay = NumericOption.Int("--delay-ms", "How long each task waits, in milliseconds, to stand in for I/O (0 = no wait).", 1, 0, MaxDelayMs);
        var failureRate = NumericOption.Double("--failure-rate", "The fraction of tasks that throw, from 0 to 1.", 0, 0, 1);
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON object on stdout instead of the summary (counts per outcome, retried, wallMs, perNode; with --durable, resumed and recovered).",
        };
        var durable = new Option<string>("--durable")
        {
            Description = "Run on a durable pool journaled in this SQLite file (created if missing): first run again every task it holds without an outcome, then the new 'sleep' tasks. A run killed midway loses nothing: the next run on the file finishes it (--tasks 0 only resumes).",
            HelpName = "FILE",
        };
        var seeds = SeedAddress.Option("With --cluster: a node of the cluster to join, as host:port (repeatable).");
        var hostname = NodeCommand.HostnameOption();
        hostname.Description = "With --cluster: the host name or IP address this node listens on (any free port) and the cluster reaches it by.";
        var joinTimeout = NodeCommand.JoinTimeoutOption();
        joinTimeout.Description = $"With --cluster: how long to wait to join, and then for a node with workers, before giving up with exit code 3. {joinTimeout.Description![joinTimeout.Description!.IndexOf('[', StringComparison.Ordinal)..]}";

        var command = new Command("run", "Push synthetic tasks through a pool (with --cluster, through a cluster of actorpool nodes; with --durable, a pool journaled in a SQLite file) and print counts per outcome, wall time and tasks/s.")
        {
            tasks, workers, queue, delay, failureRate, json, durable, cluster, seeds, hostname, joinTimeout,
        };
        command.Validators.Add(result =>
        {
            var clustered = result.GetResult(cluster) is { Implicit: false };
            var seeded = result.GetResult(seeds) is { Implicit: false };
            if (clustered && !seeded)
            {
                result.AddError("--cluster needs --seed host:port, a node of the cluster to join (e.g. --seed 127.0.0.1:4053).");
            }
            else if (seeded && !clustered)
            {
                result.AddError("--seed is for runs on a cluster: add --cluster.");
            }

            // The path as typed: with no value there is a parse error already, and no value to read.
            if (result.GetResult(durable) is { Implicit: false, Tokens: [{ Value: var file }] })
            {
                if (clustered)
                {
                    result.AddError("--durable runs a local durable pool and cannot be combined with --cluster: a cluster journals on its nodes (actor-pool.persistence in their config).");
                }
                else if (DurableFileProblem(file) is { } problem)
                {
                    result.AddError(problem);
                }
            }
        });
        command.SetAction((parse, cancellationToken) =>
        {
            var settings = new RunSettings(parse.GetValue(tasks), parse.GetValue(workers), parse.GetValue(queue), parse.GetValue(delay), parse.GetValue(failureRate), parse.GetValue(json));
            if (parse.GetValue(durable) is { } file)
            {
                return DurableRun.RunAsync(settings, new DurableRunSettings(file), output, error, signal);
            }

            return parse.GetValue(cluster)
                ? ClusterRun.RunAsync(
                    settings,
                    new ClusterRunSettings(parse.GetValue(seeds) ?? [], parse.GetValue(hostname)!, NumericOption.ValueOr(parse, joinTimeout, NodeCommand.DefaultJoinTimeout)),
                    output,
                    error,
                    signal)
                : RunAsync(settings, output, cancellationToken);
        });
        return command;
    }

    /// <summary>What is wrong with <c>--durable</c>'s path before anything opens it, or null: what a database says about the file itself comes later.</summary>
    internal static string? DurableFileProblem(string file)
    {
        if (string.IsNullOrWhiteSpace(file))
        {
            return $"--durable must name a SQLite file, such as jobs.db, was: '{file}'.";
        }

        if (file.StartsWith('-'))
        {
            // Most likely the next option taken as the path (--durable --tasks 5): no file made of it.
            return $"--durable must name a SQLite file, was: '{file}' (write ./{file} for a file whose name starts with '-').";
        }

        if (Directory.Exists(file))
        {
            return $"--durable must name a SQLite file, not a directory, was: '{file}'.";
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(file));
        return folder is not null && !Directory.Exists(folder)
            ? $"--durable names a file in a folder that does not exist, was: '{file}'."
            : null;
    }

    /// <summary>Runs the synthetic load and writes the summary; returns the process exit code.</summary>
    internal static async Task<int> RunAsync(RunSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        var options = new WorkerPoolOptions
        {
            Workers = settings.Workers,
            QueueSize = settings.Queue,
            MaxRetainedResults = Math.Max(settings.Tasks, 1),
        };
        await using var pool = new WorkerPool(options);
        pool.Start(cancellationToken);
        var delay = TimeSpan.FromMilliseconds(settings.DelayMs);
        var failEvery = settings.FailureRate > 0 ? 1 / settings.FailureRate : double.PositiveInfinity;
        var rejected = 0;
        if (!settings.Json)
        {
            RunSummary.WriteHeader(settings, output);
            await output.FlushAsync(CancellationToken.None);
        }

        var clock = Stopwatch.StartNew();

        for (var i = 0; i < settings.Tasks; i++)
        {
            // Deterministic spread of failures: task i fails when it crosses the next multiple of 1/rate.
            var fails = Math.Floor((i + 1) / failEvery) > Math.Floor(i / failEvery);
            try
            {
                await pool.SubmitAsync(ct => SyntheticTaskAsync(delay, fails, ct), cancellationToken: cancellationToken);
            }
            catch (Exception ex) when (ex is SubmitRejectedException or OperationCanceledException)
            {
                rejected += settings.Tasks - i;
                break;
            }
        }

        await pool.StopAsync(CancellationToken.None);
        clock.Stop();

        var counts = pool.GetResults().Values.CountBy(r => r.Outcome).ToDictionary();
        var summary = new RunSummary(settings, counts, rejected, clock.Elapsed) { Retried = pool.GetStats().Retried };
        summary.Write(output);
        if (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }

        return summary.AllSucceeded ? ExitCodes.Success : ExitCodes.SomeFailed;
    }

    private static async Task SyntheticTaskAsync(TimeSpan delay, bool fails, CancellationToken cancellationToken)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken);
        }
        else
        {
            await Task.Yield();
        }

        if (fails)
        {
            throw new InvalidOperationException("Synthetic failure.");
        }
    }
}

/// <summary>The validated command line of <c>actorpool run</c>.</summary>
/// <param name="Tasks">How many synthetic tasks to run.</param>
/// <param name="Workers">Workers of the local pool; with <c>--cluster</c>, the workers this node adds (0 = none).</param>
/// <param name="Queue">Tasks that may wait before submitting waits (0 = unbounded).</param>
/// <param name="DelayMs">How long each task waits.</param>
/// <param name="FailureRate">The fraction of tasks that throw.</param>
/// <param name="Json">Print one JSON object instead of the header and summary.</param>
internal sealed record RunSettings(int Tasks, int Workers, int Queue, int DelayMs, double FailureRate, bool Json = false);

/// <summary>What a run did, counted from the pool's recorded outcomes.</summary>
/// <param name="Settings">The command line.</param>
/// <param name="Counts">Recorded outcomes of the run's tasks.</param>
/// <param name="WallTime">From the first submit until the last outcome (or until the run stopped waiting).</param>
/// <param name="NotSubmitted">Tasks the pool did not accept (a stop or a signal came first): <c>rejected</c> in the JSON.</param>
internal sealed record RunSummary(RunSettings Settings, IReadOnlyDictionary<TaskOutcome, int> Counts, int NotSubmitted, TimeSpan WallTime)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>Extra runs: a task that ran three times (a retry, or a re-run after its node died) counts two.</summary>
    public long Retried { get; init; }

    /// <summary>Tasks run per cluster node address, from each result's <see cref="TaskResult.Node"/>; null for a local run.</summary>
    public IReadOnlyDictionary<string, int>? PerNode { get; init; }

    /// <summary>Workers per cluster node address when the run began; null for a local run.</summary>
    public IReadOnlyDictionary<string, int>? WorkersByNode { get; init; }

    /// <summary>A durable run: tasks found unfinished in the journal and run again in this run (counted in <see cref="Counts"/>); null otherwise.</summary>
    public long? Resumed { get; init; }

    /// <summary>A durable run: outcomes of tasks finished in earlier runs, read back from the journal (not in <see cref="Counts"/>); null otherwise.</summary>
    public long? Recovered { get; init; }

    /// <summary>A durable run: how many of the <see cref="Recovered"/> outcomes are successes.</summary>
    public long? RecoveredSucceeded { get; init; }

    /// <summary>Accepted tasks (and resumed ones) with no outcome yet when the run stopped waiting (a signal, this node was removed, the journal failed).</summary>
    public int Unfinished => (int)(Settings.Tasks + (Resumed ?? 0)) - NotSubmitted - Counts.Values.Sum();

    public int Count(TaskOutcome outcome) => Counts.GetValueOrDefault(outcome);

    /// <summary>Every task the run meant to submit and every resumed one succeeded, and so did every recovered outcome.</summary>
    public bool AllSucceeded => NotSubmitted == 0
        && Count(TaskOutcome.Succeeded) == Settings.Tasks + (Resumed ?? 0)
        && RecoveredSucceeded == Recovered;

    public double TasksPerSecond => WallTime > TimeSpan.Zero ? Counts.Values.Sum() / WallTime.TotalSeconds : 0;

    public static void WriteHeader(RunSettings settings, TextWriter output) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ActorPool run: {settings.Tasks} tasks on {settings.Workers} workers (queue {settings.Queue}, delay {settings.DelayMs} ms)"));

    /// <summary>The summary, or with <see cref="RunSettings.Json"/> one JSON object on one line.</summary>
    public void Write(TextWriter output)
    {
        if (Settings.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(ToJson(), JsonOptions));
            return;
        }

        var c = CultureInfo.InvariantCulture; output.WriteLine(string.Create(c, $"  succeeded      {Count(TaskOutcome.Succeeded),10}"));
        output.WriteLine(string.Create(c, $"  failed         {Count(TaskOutcome.Failed),10}"));
        output.WriteLine(string.Create(c, $"  cancelled      {Count(TaskOutcome.Cancelled),10}"));
        output.WriteLine(string.Create(c, $"  timed out      {Count(TaskOutcome.TimedOut),10}"));
        output.WriteLine(string.Create(c, $"  dropped        {Count(TaskOutcome.Dropped),10}"));
        output.WriteLine(string.Create(c, $"  not submitted  {NotSubmitted,10}"));
        if (PerNode is not null || Resumed is not null)
        {
            if (Unfinished > 0)
            {
                output.WriteLine(string.Create(c, $"  unfinished     {Unfinished,10}"));
            }

            output.WriteLine(string.Create(c, $"  retried        {Retried,10}"));
        }

        if (Resumed is not null)
        {
            output.WriteLine(string.Create(c, $"  resumed        {Resumed,10}   (unfinished in the journal, run again here)"));
            var notSucceeded = Recovered - RecoveredSucceeded;
            output.WriteLine(string.Create(c, $"  recovered      {Recovered,10}   (finished in earlier runs{(notSucceeded > 0 ? $", {notSucceeded} of them not succeeded" : string.Empty)})"));
        }

        output.WriteLine(string.Create(c, $"  wall time      {WallTime.TotalSeconds,10:F2} s"));
        output.WriteLine(string.Create(c, $"  throughput     {TasksPerSecond,10:F0} tasks/s"));
        if (PerNode is not null)
        {
            output.WriteLine(PerNode.Count == 0 ? "  ran per node         none" : "  ran per node");
            foreach (var (node, count) in PerNode.OrderBy(n => n.Key, StringComparer.Ordinal))
            {
                output.WriteLine(string.Create(c, $"    {node,-40} {count,10}"));
            }
        }
    }

    /// <summary>
    /// The JSON form: <c>submitted</c> is every task the run meant to submit, so once every
    /// accepted task has an outcome, submitted = succeeded + failed + cancelled + timedOut +
    /// dropped + rejected (+ unfinished when the run stopped waiting early). A durable run adds
    /// <c>resumed</c> on the left, and <c>recovered</c> and <c>recoveredSucceeded</c> beside.
    /// </summary>
    private RunJson ToJson() => new(
        Settings.Tasks,
        Count(TaskOutcome.Succeeded),
        Count(TaskOutcome.Failed),
        Count(TaskOutcome.Cancelled),
        Count(TaskOutcome.TimedOut),
        Count(TaskOutcome.Dropped),
        NotSubmitted,
        Unfinished,
        Retried,
        (long)WallTime.TotalMilliseconds,
        Math.Round(TasksPerSecond, 1),
        new SortedDictionary<string, int>(PerNode?.ToDictionary() ?? [], StringComparer.Ordinal),
        new SortedDictionary<string, int>(WorkersByNode?.ToDictionary() ?? [], StringComparer.Ordinal),
        Resumed,
        Recovered,
        RecoveredSucceeded);

    /// <summary>The JSON object's shape; property names become camelCase, and the durable run's fields are left out of other runs.</summary>
    private sealed record RunJson(
        int Submitted,
        int Succeeded,
        int Failed,
        int Cancelled,
        int TimedOut,
        int Dropped,
        int Rejected,
        int Unfinished,
        long Retried,
        long WallMs,
        double TasksPerSecond,
        SortedDictionary<string, int> PerNode,
        SortedDictionary<string, int> WorkersByNode,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Resumed,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Recovered,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? RecoveredSucceeded);
}
