using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

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

    public static Command Create(TextWriter output)
    {
        var tasks = NumericOption.Int("--tasks", "How many synthetic tasks to run.", 10_000, 0, MaxTasks, "-n");
        var workers = NumericOption.Int("--workers", "How many workers run tasks at once.", Environment.ProcessorCount * 4, 1, MaxWorkers, "-w");
        var queue = NumericOption.Int("--queue", "How many tasks may wait for a worker; submitting waits when it is full (0 = unbounded).", 1000, 0, MaxTasks, "-q");
        var delay = NumericOption.Int("--delay-ms", "How long each task waits, in milliseconds, to stand in for I/O (0 = no wait).", 1, 0, MaxDelayMs);
        var failureRate = NumericOption.Double("--failure-rate", "The fraction of tasks that throw, from 0 to 1.", 0, 0, 1);

        var command = new Command("run", "Push synthetic tasks through a pool and print counts per outcome, wall time and tasks/s.")
        {
            tasks, workers, queue, delay, failureRate,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new RunSettings(parse.GetValue(tasks), parse.GetValue(workers), parse.GetValue(queue), parse.GetValue(delay), parse.GetValue(failureRate)),
            output,
            cancellationToken));
        return command;
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
        RunSummary.WriteHeader(settings, output);
        await output.FlushAsync(CancellationToken.None);
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
        var summary = new RunSummary(settings, counts, rejected, clock.Elapsed);
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
internal sealed record RunSettings(int Tasks, int Workers, int Queue, int DelayMs, double FailureRate);

/// <summary>What a run did, counted from the pool's recorded outcomes.</summary>
internal sealed record RunSummary(RunSettings Settings, IReadOnlyDictionary<TaskOutcome, int> Counts, int NotSubmitted, TimeSpan WallTime)
{
    public int Count(TaskOutcome outcome) => Counts.GetValueOrDefault(outcome);

    public bool AllSucceeded => NotSubmitted == 0 && Count(TaskOutcome.Succeeded) == Settings.Tasks;

    public double TasksPerSecond => WallTime > TimeSpan.Zero ? Counts.Values.Sum() / WallTime.TotalSeconds : 0;

    public static void WriteHeader(RunSettings settings, TextWriter output) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ActorPool run: {settings.Tasks} tasks on {settings.Workers} workers (queue {settings.Queue}, delay {settings.DelayMs} ms)"));

    public void Write(TextWriter output)
    {
        var c = CultureInfo.InvariantCulture; output.WriteLine(string.Create(c, $"  succeeded      {Count(TaskOutcome.Succeeded),10}"));
        output.WriteLine(string.Create(c, $"  failed         {Count(TaskOutcome.Failed),10}"));
        output.WriteLine(string.Create(c, $"  cancelled      {Count(TaskOutcome.Cancelled),10}"));
        output.WriteLine(string.Create(c, $"  timed out      {Count(TaskOutcome.TimedOut),10}"));
        output.WriteLine(string.Create(c, $"  dropped        {Count(TaskOutcome.Dropped),10}"));
        output.WriteLine(string.Create(c, $"  not submitted  {NotSubmitted,10}"));
        output.WriteLine(string.Create(c, $"  wall time      {WallTime.TotalSeconds,10:F2} s"));
        output.WriteLine(string.Create(c, $"  throughput     {TasksPerSecond,10:F0} tasks/s"));
    }
}
