using System.Diagnostics;
using System.Globalization;
using ActorPool.Cli.Cluster;

namespace ActorPool.Cli.Commands;

/// <summary>Where <c>actorpool run --cluster</c> joins: its seeds, its own host name, how long it waits.</summary>
/// <param name="Seeds">Nodes of the cluster to join through.</param>
/// <param name="Hostname">What this node listens on (on port 0) and the other nodes reach it by.</param>
/// <param name="JoinTimeout">How long to wait to become a member, and then again for a node with workers.</param>
internal sealed record ClusterRunSettings(IReadOnlyList<SeedAddress> Seeds, string Hostname, TimeSpan JoinTimeout);

/// <summary>
/// <c>actorpool run --cluster</c>: joins the cluster as a node of its own (any free port), waits
/// for workers, submits the synthetic tasks as named <c>sleep</c> tasks, waits for every outcome,
/// reports them (per outcome and per node), and leaves the cluster.
/// </summary>
/// <remarks>
/// While it waits, a progress line on stderr every half second (when something changed) shows
/// the outcomes so far, the queue and the workers per node: the cluster's dashboard, and what a
/// script can watch. Exit codes: 0 when every task succeeded, 1 when some did not, 2 on bad usage,
/// 3 when it could not join, found no workers or was removed from the cluster, 130 on a signal.
/// </remarks>
internal static class ClusterRun
{
    /// <summary>How each progress line on stderr starts; tests wait for it.</summary>
    public const string ProgressPrefix = "progress: ";

    /// <summary>How often progress is looked at; a line is printed only when it changed.</summary>
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Submits wait together in windows this size: enough to keep the supervisor's batches full, few enough to count exactly what a stop refused.</summary>
    private const int SubmitWindow = 1024;

    /// <summary>Runs the tasks on the cluster; returns the exit code.</summary>
    internal static async Task<int> RunAsync(RunSettings settings, ClusterRunSettings cluster, TextWriter output, TextWriter error, ShutdownSignal signal)
    {
        // The run's own Akka log stays at errors: its progress lines tell what matters, and a
        // seed that is not up yet would otherwise print a warning per retry.
        // Leaving waits only briefly for outcomes: by then the run has them all, or was interrupted
        // and stopped waiting; what still runs here is handed back to the cluster.
        var nodeSettings = new ClusterNodeSettings(cluster.Hostname, 0, cluster.Seeds, settings.Workers, LogLevel: "ERROR", ShutdownTimeout: TimeSpan.FromSeconds(5));
        ClusterNode node;
        try
        {
            node = ClusterNode.Start(nodeSettings, options =>
            {
                options.QueueSize = settings.Queue;
                options.MaxRetainedResults = Math.Max(settings.Tasks, 1);
            });
        }
        catch (Exception ex)
        {
            await error.WriteLineAsync($"actorpool run: cannot start a cluster node on {cluster.Hostname}: {ex.GetBaseException().Message}");
            return ExitCodes.ClusterUnavailable;
        }

        await using (node)
        {
            var seeds = NodeCommand.Describe(cluster.Seeds);
            try
            {
                if (!await node.JoinAsync(nodeSettings, cluster.JoinTimeout, signal.Graceful))
                {
                    await error.WriteLineAsync($"actorpool run: could not join the cluster through {seeds} within {NumericOption.Format(cluster.JoinTimeout)}; is an actorpool node running there?");
                    return ExitCodes.ClusterUnavailable;
                }

                if (!await node.WaitForWorkersAsync(cluster.JoinTimeout, signal.Graceful))
                {
                    await error.WriteLineAsync($"actorpool run: joined the cluster through {seeds}, but no node with workers appeared within {NumericOption.Format(cluster.JoinTimeout)}; start one with actorpool node --workers N.");
                    await node.LeaveAsync(signal.Immediate);
                    return ExitCodes.ClusterUnavailable;
                }
            }
            catch (OperationCanceledException)
            {
                await LeaveQuietlyAsync(node, signal);
                return ExitCodes.Interrupted;
            }

            var pool = node.Pool;
            var before = pool.GetStats();
            if (!settings.Json)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"ActorPool run: {settings.Tasks} tasks of {settings.DelayMs} ms on the cluster through {seeds} ({before.Workers} workers on {Nodes(before.WorkersByNode.Count)}, queue {settings.Queue})"));
                await output.FlushAsync(CancellationToken.None);
            }

            var clock = Stopwatch.StartNew();
            using var stopProgress = new CancellationTokenSource();
            var progress = ReportProgressAsync(pool, settings.Tasks, Done(before), error, stopProgress.Token);
            var notSubmitted = 0;
            var exit = ExitCodes.Success;
            try
            {
                notSubmitted = await SubmitAsync(pool, settings, signal.Graceful);
                var waited = pool.WaitAsync(signal.Graceful);
                if (await Task.WhenAny(waited, node.Terminated) == waited)
                {
                    await waited; // a signal makes it throw: the run was interrupted
                }
                else
                {
                    // A removed node's front hears no more outcomes: waiting on would never end.
                    await error.WriteLineAsync($"actorpool run: {node.Address} was removed from the cluster before every task had an outcome.");
                    exit = ExitCodes.ClusterUnavailable;
                }
            }
            catch (OperationCanceledException)
            {
                exit = ExitCodes.Interrupted;
            }
            finally
            {
                clock.Stop();
                await stopProgress.CancelAsync();
                await progress;
            }

            var summary = Summarize(settings, pool, notSubmitted, clock.Elapsed, before);
            summary.Write(output);
            await output.FlushAsync(CancellationToken.None);

            await LeaveQuietlyAsync(node, signal);
            return exit != ExitCodes.Success ? exit
                : summary.AllSucceeded ? ExitCodes.Success
                : ExitCodes.SomeFailed;
        }
    }

    /// <summary>Submits every task as a named <c>sleep</c> task, a window at a time; returns how many were not accepted (a signal or a stopped pool came first). The durable run submits the same way.</summary>
    internal static async Task<int> SubmitAsync(WorkerPool pool, RunSettings settings, CancellationToken cancellationToken)
    {
        // The same deterministic spread of failures as the local run.
        var failEvery = settings.FailureRate > 0 ? 1 / settings.FailureRate : double.PositiveInfinity;
        for (var start = 0; start < settings.Tasks; start += SubmitWindow)
        {
            var window = Enumerable.Range(start, Math.Min(SubmitWindow, settings.Tasks - start))
                .Select(i => pool.SubmitAsync(SleepTask.Name, new SleepTask(settings.DelayMs, Math.Floor((i + 1) / failEvery) > Math.Floor(i / failEvery)), cancellationToken: cancellationToken))
                .ToList();
            await ((Task)Task.WhenAll(window)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            var refused = window.Count(t => !t.IsCompletedSuccessfully);
            if (refused > 0)
            {
                return refused + (settings.Tasks - start - window.Count);
            }
        }

        return 0;
    }

    private static RunSummary Summarize(RunSettings settings, WorkerPool pool, int notSubmitted, TimeSpan wall, PoolStats before)
    {
        var results = pool.GetResults().Values;
        return new RunSummary(settings, results.CountBy(r => r.Outcome).ToDictionary(), notSubmitted, wall)
        {
            Retried = results.Sum(r => Math.Max(r.Attempts - 1, 0L)),
            PerNode = results.Where(r => r.Node is not null).CountBy(r => r.Node!).ToDictionary(StringComparer.Ordinal),
            WorkersByNode = before.WorkersByNode,
        };
    }

    /// <summary>
    /// One line on stderr every half second while something changed: outcomes recorded by the
    /// cluster since the run began (one submitter: this run's own), the queue, workers per node.
    /// </summary>
    private static async Task ReportProgressAsync(WorkerPool pool, int tasks, long doneBefore, TextWriter error, CancellationToken cancellationToken)
    {
        using var tick = new PeriodicTimer(ProgressInterval);
        var last = string.Empty;
        try
        {
            while (await tick.WaitForNextTickAsync(cancellationToken))
            {
                var stats = pool.GetStats();
                var done = Math.Clamp(Done(stats) - doneBefore, 0, tasks);
                var failed = stats.Failed + stats.Cancelled + stats.TimedOut + stats.Dropped;
                var workers = string.Join(", ", stats.WorkersByNode.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => $"{ShortNode(w.Key)} x{w.Value}"));
                var line = string.Create(CultureInfo.InvariantCulture, $"{ProgressPrefix}{done}/{tasks} done ({failed} not succeeded in the cluster), {stats.Queued} queued, {stats.ActiveWorkers} busy; workers: {(workers.Length == 0 ? "none" : workers)}");
                if (line != last)
                {
                    await error.WriteLineAsync(line);
                    last = line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run finished or stopped waiting.
        }
    }

    private static string Nodes(int count) => count == 1 ? "1 node" : $"{count} nodes";

    /// <summary>Outcomes recorded so far, of every kind.</summary>
    internal static long Done(PoolStats stats) => stats.Succeeded + stats.Failed + stats.Cancelled + stats.TimedOut + stats.Dropped;

    /// <summary><c>127.0.0.1:4053</c> for <c>akka.tcp://actorpool@127.0.0.1:4053</c>: every node shares the rest.</summary>
    private static string ShortNode(string address) => address[(address.IndexOf('@', StringComparison.Ordinal) + 1)..];

    private static async Task LeaveQuietlyAsync(ClusterNode node, ShutdownSignal signal)
    {
        try
        {
            await node.LeaveAsync(signal.Immediate);
        }
        catch (OperationCanceledException)
        {
            // A second signal: stop waiting; disposing the node terminates its system.
        }
    }
}
