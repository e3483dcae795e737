using System.Diagnostics;
using System.Globalization;
using ActorPool.Cli.Cluster;
using Akka.Actor;
using Akka.Configuration;
using Microsoft.Data.Sqlite;

namespace ActorPool.Cli.Commands;

/// <summary>
/// <c>actorpool run --durable FILE</c>: a durable pool journaled in the SQLite file FILE. It reads
/// FILE back (the outcomes of earlier runs are recovered, the tasks without one run again), submits
/// the new tasks as named <c>sleep</c> tasks, waits for every outcome and reports them.
/// </summary>
/// <remarks>
/// Progress lines on stderr every half second, as for <c>run --cluster</c>. Exit codes: 0 when every
/// task it ran and every outcome it recovered succeeded, 1 when some did not, 2 on bad usage, 4 when
/// FILE cannot be used (corrupt, locked, not writable, or its journal failed mid-run), 130 on a
/// signal: it stops submitting and waiting, prints what it has and cancels what runs; every task
/// without an outcome stays in FILE and runs in the next run on it.
/// </remarks>
internal static class DurableRun
{
    /// <summary>
    /// Outcomes the pool keeps, and so reads back from FILE: the library's default. Each journal
    /// snapshot holds them all, so more would make every snapshot dearer.
    /// </summary>
    internal const int RetainedOutcomes = 10_000;

    /// <summary>The pool's name; the journal's persistence id is derived from it, so it must never change.</summary>
    private const string PoolName = "actorpool";

    /// <summary>How often progress is looked at; a line is printed only when it changed.</summary>
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the start looks whether the journal has been read back.</summary>
    private static readonly TimeSpan RecoveryPoll = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// How long a stop waits: tasks that ran to the end are all in before the run stops, so this
    /// bounds only a stop after a signal (whose cancelled tasks stay unfinished in FILE).
    /// </summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Outcome callbacks run off the pool's path; once the outcomes are in, they follow within this.</summary>
    private static readonly TimeSpan CallbackPatience = TimeSpan.FromSeconds(10);

    /// <summary>Runs the tasks on a durable pool journaled in <paramref name="durable"/>'s file; returns the exit code.</summary>
    internal static async Task<int> RunAsync(RunSettings settings, DurableRunSettings durable, TextWriter output, TextWriter error, ShutdownSignal signal)
    {
        var file = durable.File;

        // One run per file: two pools on one journal would both run its unfinished tasks and then
        // fail on each other's writes. SQLite's own locks last a transaction; this lasts the run.
        FileStream claim;
        try
        {
            claim = new FileStream(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // .NET says why: not writable, or "being used by another process" (another run on it).
            await error.WriteLineAsync($"actorpool run: the journal '{file}' cannot be opened: {FirstLine(ex.Message)}");
            return ExitCodes.JournalUnavailable;
        }

        await using (claim)
        {
            var system = ActorSystem.Create("actorpool", Config());
            try
            {
                return await RunOnAsync(system, settings, file, output, error, signal);
            }
            finally
            {
                // The pool is stopped by now (or never started): what it left unfinished is in FILE.
                await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private static async Task<int> RunOnAsync(ActorSystem system, RunSettings settings, string file, TextWriter output, TextWriter error, ShutdownSignal signal)
    {
        var thisRun = new RunTally();
        WorkerPool pool;
        try
        {
            pool = WorkerPool.Create(system, Options(settings, file, thisRun), PoolName);
        }
        catch (PoolJournalException ex)
        {
            await error.WriteLineAsync($"actorpool run: {FirstLine(ex.Message)}");
            return ExitCodes.JournalUnavailable;
        }

        Recovery recovery;
        try
        {
            recovery = await ReadBackAsync(pool, signal.Graceful);
        }
        catch (OperationCanceledException)
        {
            await StopAsync(pool, signal);
            return ExitCodes.Interrupted;
        }
        catch (Exception ex)
        {
            await error.WriteLineAsync($"actorpool run: the journal '{file}' cannot be read back: {FirstLine(ex.GetBaseException().Message)}");
            await StopAsync(pool, signal);
            return ExitCodes.JournalUnavailable;
        }

        if (!settings.Json)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"ActorPool run on {file}: {recovery.Resumed} unfinished tasks resumed, {recovery.Recovered} earlier outcomes recovered; {(settings.Tasks == 0 ? "no new tasks" : $"{settings.Tasks} new tasks of {settings.DelayMs} ms")} on {settings.Workers} workers (queue {settings.Queue})"));
            await output.FlushAsync(CancellationToken.None);
        }

        // The start token is the run's own, cancelled only once the stop has begun (see below), so
        // the journal keeps what it cuts short unfinished instead of recording it cancelled.
        using var cutShort = new CancellationTokenSource();
        pool.Start(cutShort.Token);
        var clock = Stopwatch.StartNew();
        using var stopWatching = new CancellationTokenSource();
        var progress = ReportProgressAsync(pool, settings.Tasks + (int)recovery.Resumed, error, stopWatching.Token);
        var journalLost = WatchJournalAsync(pool, stopWatching.Token);
        var submitting = ClusterRun.SubmitAsync(pool, settings, signal.Graceful);
        var exit = ExitCodes.Success;
        try
        {
            var work = WaitAfterAsync(submitting, pool, signal.Graceful);
            if (await Task.WhenAny(work, journalLost) == work)
            {
                await work; // a signal makes it throw: the run was interrupted
            }
            else
            {
                exit = ExitCodes.JournalUnavailable;
            }
        }
        catch (OperationCanceledException)
        {
            exit = ExitCodes.Interrupted;
        }
        finally
        {
            clock.Stop();
            await stopWatching.CancelAsync();
            await progress;
        }

        // Stopping early: the stop begins first (no more submits; the journal learns that what is
        // cancelled from now on is cut short), the figures are read, then what waits and runs is
        // cancelled, staying unfinished in FILE. Outcomes that came in meanwhile are real and kept.
        var stop = exit == ExitCodes.Success ? null : pool.StopAsync();
        if (stop is not null)
        {
            await Task.WhenAny(submitting, Task.Delay(CallbackPatience)); // refused at once by the stopped pool, unless the journal is gone
        }

        var stats = pool.GetStats();
        if (stop is not null)
        {
            await cutShort.CancelAsync();
        }
        else
        {
            await thisRun.CatchUpAsync(ClusterRun.Done(stats), CallbackPatience);
        }

        // Submits a lost journal left hanging were never journaled: not submitted either.
        var notSubmitted = submitting.IsCompletedSuccessfully ? submitting.Result : (int)Math.Max(0, settings.Tasks - (stats.Submitted - stats.Rejected));
        var summary = new RunSummary(settings, Counts(stats), notSubmitted, clock.Elapsed)
        {
            Retried = thisRun.ExtraRuns,
            Resumed = recovery.Resumed,
            Recovered = recovery.Recovered,
            RecoveredSucceeded = recovery.RecoveredSucceeded,
        };
        summary.Write(output);
        await output.FlushAsync(CancellationToken.None);
        if (exit == ExitCodes.JournalUnavailable)
        {
            await error.WriteLineAsync($"actorpool run: the journal '{file}' refused a write mid-run; what it holds without an outcome runs in the next run on it.");
        }
        else if (exit == ExitCodes.Interrupted && summary.Unfinished > 0)
        {
            await error.WriteLineAsync($"actorpool run: interrupted; {summary.Unfinished} tasks without an outcome stay in '{file}' for the next run.");
        }

        await StopAsync(pool, signal, stop);
        return exit != ExitCodes.Success ? exit
            : summary.AllSucceeded ? ExitCodes.Success
            : ExitCodes.SomeFailed;
    }

    private static WorkerPoolOptions Options(RunSettings settings, string file, RunTally thisRun)
    {
        var options = new WorkerPoolOptions
        {
            Workers = settings.Workers,
            QueueSize = settings.Queue,
            MaxRetainedResults = RetainedOutcomes,
            ShutdownTimeout = ShutdownTimeout,
            OnTaskCompleted = thisRun.Add,
        };
        options.Persistence.Enabled = true;
        options.Persistence.ConnectionString = new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(file) }.ToString();
        SleepTask.Register(options);
        return options;
    }

    /// <summary>
    /// Waits until the journal has been read back, before the pool starts: the pool then holds the
    /// recovered outcomes and nothing else, and the resumed tasks wait in its queue.
    /// </summary>
    /// <exception cref="Exception">The journal could not be read back.</exception>
    private static async Task<Recovery> ReadBackAsync(WorkerPool pool, CancellationToken cancellationToken)
    {
        // A pool that has not started runs nothing, so WaitAsync completes once the journal is read
        // back only if it left no task unfinished; otherwise Resumed shows them, set after the
        // recovered outcomes are in.
        var waited = pool.WaitAsync(cancellationToken);
        using var poll = new PeriodicTimer(RecoveryPoll);
        while (!waited.IsCompleted && pool.GetStats().Resumed == 0)
        {
            await poll.WaitForNextTickAsync(cancellationToken);
        }

        if (waited.IsCompleted)
        {
            await waited;
        }
        else
        {
            // Left running until the pool starts; a later failure of it is the run's to report.
            _ = waited.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }

        var stats = pool.GetStats();
        var recovered = pool.GetResults().Values;
        return new Recovery(stats.Resumed, stats.Recovered, recovered.Count(r => r.Outcome == TaskOutcome.Succeeded));
    }

    /// <summary>Waits for the resumed tasks and, once submitted, the new ones.</summary>
    private static async Task WaitAfterAsync(Task submitting, WorkerPool pool, CancellationToken cancellationToken)
    {
        await submitting.WaitAsync(cancellationToken);
        await pool.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// True once the pool stops accepting tasks without being asked: its journal refused a write
    /// and no longer answers, so waiting for outcomes would never end. False when told to stop watching.
    /// </summary>
    private static async Task<bool> WatchJournalAsync(WorkerPool pool, CancellationToken cancellationToken)
    {
        using var tick = new PeriodicTimer(ProgressInterval);
        try
        {
            while (await tick.WaitForNextTickAsync(cancellationToken))
            {
                if (pool.GetStats().IsStopped)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run finished or stopped waiting.
        }

        return false;
    }

    /// <summary>Stops the pool, or waits for the stop already begun; a second signal stops waiting.</summary>
    private static async Task StopAsync(WorkerPool pool, ShutdownSignal signal, Task? stop = null)
    {
        try
        {
            await (stop ?? pool.StopAsync()).WaitAsync(signal.Immediate);
        }
        catch (OperationCanceledException)
        {
            // A second signal: stop waiting; terminating the system cuts the rest short.
        }
    }

    private static Dictionary<TaskOutcome, int> Counts(PoolStats stats) => new Dictionary<TaskOutcome, int>
    {
        [TaskOutcome.Succeeded] = (int)stats.Succeeded,
        [TaskOutcome.Failed] = (int)stats.Failed,
        [TaskOutcome.Cancelled] = (int)stats.Cancelled,
        [TaskOutcome.TimedOut] = (int)stats.TimedOut,
        [TaskOutcome.Dropped] = (int)stats.Dropped,
    };

    /// <summary>One line on stderr every half second while something changed: this run's outcomes of the resumed and new tasks, the queue, the busy workers.</summary>
    private static async Task ReportProgressAsync(WorkerPool pool, int tasks, TextWriter error, CancellationToken cancellationToken)
    {
        using var tick = new PeriodicTimer(ProgressInterval);
        var last = string.Empty;
        try
        {
            while (await tick.WaitForNextTickAsync(cancellationToken))
            {
                var stats = pool.GetStats();
                var failed = stats.Failed + stats.Cancelled + stats.TimedOut + stats.Dropped;
                var line = string.Create(CultureInfo.InvariantCulture, $"{ClusterRun.ProgressPrefix}{Math.Min(ClusterRun.Done(stats), tasks)}/{tasks} done ({failed} not succeeded), {stats.Queued} queued, {stats.ActiveWorkers} busy");
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

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end].TrimEnd();
    }

    /// <summary>The run's actor system: Akka's log on stderr (stdout carries only the summary or the JSON), errors only, as for a cluster run.</summary>
    private static Config Config() =>
        ConfigurationFactory.ParseString(string.Create(CultureInfo.InvariantCulture, $$"""
            akka {
              loglevel = ERROR
              stdout-loglevel = OFF
              loggers = ["ActorPool.Cli.Cluster.StderrLogger, ActorPool.Cli"]
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              coordinated-shutdown {
                # Signals are the CLI's own (ShutdownSignal).
                run-by-clr-shutdown-hook = off
                phases.service-requests-done.timeout = {{(long)(ShutdownTimeout.TotalMilliseconds * 2) + 5000}}ms
              }
            }
            """)).WithFallback(WorkerPool.DefaultConfig());

    /// <summary>What the journal gave back before the pool started.</summary>
    private sealed record Recovery(long Resumed, long Recovered, long RecoveredSucceeded);

    /// <summary>This run's outcomes (resumed and new tasks) as the pool reports them, counted with their extra runs.</summary>
    private sealed class RunTally
    {
        private long _outcomes;
        private long _extraRuns;

        /// <summary>Runs beyond the first: a resumed task that had started before counts that run.</summary>
        public long ExtraRuns => Interlocked.Read(ref _extraRuns);

        public void Add(TaskResult result)
        {
            Interlocked.Add(ref _extraRuns, Math.Max(result.Attempts - 1, 0));
            Interlocked.Increment(ref _outcomes);
        }

        /// <summary>Waits, briefly, until the callbacks of <paramref name="outcomes"/> outcomes have run.</summary>
        public async Task CatchUpAsync(long outcomes, TimeSpan patience)
        {
            var clock = Stopwatch.StartNew();
            while (Interlocked.Read(ref _outcomes) < outcomes && clock.Elapsed < patience)
            {
                await Task.Delay(10);
            }
        }
    }
}

/// <summary>Where <c>actorpool run --durable</c> journals its tasks.</summary>
/// <param name="File">The SQLite file, as given on the command line.</param>
internal sealed record DurableRunSettings(string File);
