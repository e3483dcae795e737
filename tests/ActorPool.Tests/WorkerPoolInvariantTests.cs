using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using CsCheck;

namespace ActorPool.Tests;

/// <summary>
/// The pool's central promise under mixed load: every submit is either rejected or accepted,
/// and every accepted task gets exactly one outcome, in <see cref="WorkerPool.GetStats"/> and per task.
/// </summary>
[Collection(nameof(ProcessWideMeasurements))]
public sealed class WorkerPoolInvariantTests
{
    /// <summary>What one task does when it runs.</summary>
    public enum Behaviour
    {
        Succeed,
        Throw,
        ThrowThenSucceed,
        OverrunHonouringToken,
        OverrunIgnoringToken,
        CancelledByCaller,
    }

    public enum SubmitMode
    {
        Submit,
        TrySubmit,
        Run,
    }

    public sealed record Job(Behaviour Behaviour, SubmitMode Mode, int DelayMs, int Priority, bool QueueTimeout);

    public sealed record Scenario(int Workers, int QueueSize, OverflowPolicy Overflow, bool Priority, int MaxAttempts, Job[] Jobs, int ResizeAt, int ResizeTo, int CancelAt)
    {
        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"workers {Workers}, queue {QueueSize} {Overflow}, priority {Priority}, attempts {MaxAttempts}, resize to {ResizeTo} at {ResizeAt}, cancel at {CancelAt}, {Jobs.Length} jobs: {string.Join(' ', Jobs.Select(j => $"{j.Behaviour}/{j.Mode}/{j.DelayMs}"))}");
    }

    private static readonly Gen<Job> JobGen = Gen.Select(
        Gen.Enum<Behaviour>(),
        Gen.Enum<SubmitMode>(),
        Gen.Int[0, 8],
        Gen.Int[0, 3],
        Gen.Int[0, 9]).Select((b, m, d, p, q) => new Job(b, m, d, p, q == 0));

    private static readonly Gen<Scenario> ScenarioGen = Gen.Select(
        Gen.Int[1, 4],
        Gen.Int[0, 6],
        Gen.Enum<OverflowPolicy>(),
        Gen.Bool,
        Gen.Int[1, 3],
        JobGen.Array[5, 60],
        Gen.Int[1, 4],
        Gen.Int[0, 9]).Select((w, q, o, p, a, jobs, resizeTo, cancel) =>
            new Scenario(w, q, o, p, a, jobs, ResizeAt: jobs.Length / 2, resizeTo, CancelAt: cancel == 0 ? jobs.Length * 3 / 4 : -1));

    [Fact]
    public async Task Every_submit_must_end_rejected_or_with_exactly_one_outcome_over_random_schedules()
    {
        await ScenarioGen.SampleAsync(RunScenarioAsync, iter: 25, threads: 1, print: s => s.ToString());
    }

    [Fact]
    public async Task Tiny_tasks_handed_out_in_batches_must_keep_the_invariant_through_a_cancel()
    {
        // Microsecond tasks make the supervisor hand workers batches; the start token then
        // fires with batches still held by workers.
        var random = new Random(7);
        Behaviour[] behaviours = [Behaviour.Succeed, Behaviour.Throw, Behaviour.ThrowThenSucceed, Behaviour.CancelledByCaller];
        foreach (var overflow in Enum.GetValues<OverflowPolicy>())
        {
            var jobs = Enumerable.Range(0, 6000).Select(_ => new Job(behaviours[random.Next(behaviours.Length)], (SubmitMode)random.Next(3), 0, 0, false)).ToArray();
            await RunScenarioAsync(new Scenario(Workers: 2, QueueSize: 500, overflow, Priority: false, MaxAttempts: 2, jobs, ResizeAt: 3000, ResizeTo: 3, CancelAt: 4500));
        }
    }

    [Fact]
    public async Task A_soak_under_mixed_load_must_keep_the_invariant()
    {
        // 30 s by default; CI shortens it with ACTORPOOL_SOAK_SECONDS.
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("ACTORPOOL_SOAK_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 30;
        var until = Stopwatch.StartNew();
        var rounds = 0;
        var random = new Random(20261122);
        while (until.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            var jobs = Enumerable.Range(0, 400).Select(_ => new Job(
                (Behaviour)random.Next(6),
                (SubmitMode)random.Next(3),
                random.Next(0, 4),
                random.Next(0, 4),
                random.Next(20) == 0)).ToArray();
            var scenario = new Scenario(
                Workers: random.Next(1, 9),
                QueueSize: random.Next(0, 40),
                Overflow: (OverflowPolicy)random.Next(3),
                Priority: random.Next(2) == 0,
                MaxAttempts: random.Next(1, 4),
                jobs,
                ResizeAt: random.Next(jobs.Length),
                ResizeTo: random.Next(1, 9),
                CancelAt: random.Next(4) == 0 ? random.Next(jobs.Length) : -1);
            await RunScenarioAsync(scenario);
            rounds++;
        }

        Assert.True(rounds > 0);
    }

    private static async Task RunScenarioAsync(Scenario scenario)
    {
        var pool = new WorkerPool(new WorkerPoolOptions
        {
            Workers = scenario.Workers,
            QueueSize = scenario.QueueSize,
            Overflow = scenario.Overflow,
            EnablePriority = scenario.Priority,
            MaxAttempts = scenario.MaxAttempts,
            RetryBackoff = TimeSpan.FromMilliseconds(1),
            MaxRetryBackoff = TimeSpan.FromMilliseconds(4),
            MaxRetainedResults = 100_000,
            ShutdownTimeout = TimeSpan.FromSeconds(20),
        });
        using var startToken = new CancellationTokenSource();
        pool.Start(startToken.Token);

        var jobs = scenario.Jobs;
        var runs = new int[jobs.Length];
        var outcomes = new ConcurrentDictionary<int, ConcurrentBag<TaskResult>>();
        var submits = new List<Task>();
        var callers = jobs.Select(_ => new CancellationTokenSource()).ToArray();
        for (var i = 0; i < jobs.Length; i++)
        {
            if (i == scenario.ResizeAt)
            {
                pool.Resize(scenario.ResizeTo);
            }

            if (i == scenario.CancelAt)
            {
                await startToken.CancelAsync();
            }

            submits.Add(SubmitAsync(pool, jobs[i], i, callers[i], runs, outcomes));
        }

        await Task.WhenAll(submits).WaitAsync(TimeSpan.FromSeconds(30));
        await pool.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        foreach (var caller in callers)
        {
            caller.Dispose();
        }

        var stats = pool.GetStats();
        var results = pool.GetResults();
        Assert.Equal(jobs.Length, stats.Submitted);
        Assert.Equal(stats.Submitted, stats.Succeeded + stats.Failed + stats.Cancelled + stats.TimedOut + stats.Dropped + stats.Rejected);

        // Per task: at most one outcome; exactly the accepted ones have one; it matches what ran.
        Assert.All(outcomes.Values, bag => Assert.Single(bag));
        Assert.Equal(jobs.Length - outcomes.Count, stats.Rejected);
        Assert.Equal(outcomes.Count, results.Count);
        for (var i = 0; i < jobs.Length; i++)
        {
            if (outcomes.TryGetValue(i, out var bag))
            {
                var result = bag.Single();
                Assert.Equal(result, results[result.TaskId]);
                // A run abandoned by the stop is recorded at once; on a loaded machine its worker
                // may reach the delegate only after the stop returned, so its run may count late.
                var index = i;
                await TestSignals.EventuallyAsync(() => Volatile.Read(ref runs[index]) == result.Attempts, () => $"job {index}: {runs[index]} runs, {result.Attempts} attempts recorded ({result.Outcome})");
                Assert.InRange(result.Attempts, 0, scenario.MaxAttempts);
            }
            else
            {
                Assert.Equal(0, runs[i]);
            }
        }

        foreach (var outcome in Enum.GetValues<TaskOutcome>())
        {
            var expected = outcome switch
            {
                TaskOutcome.Succeeded => stats.Succeeded,
                TaskOutcome.Failed => stats.Failed,
                TaskOutcome.Cancelled => stats.Cancelled,
                TaskOutcome.TimedOut => stats.TimedOut,
                _ => stats.Dropped,
            };
            Assert.Equal(expected, results.Values.Count(r => r.Outcome == outcome));
        }
    }

    private static async Task SubmitAsync(WorkerPool pool, Job job, int index, CancellationTokenSource caller, int[] runs, ConcurrentDictionary<int, ConcurrentBag<TaskResult>> outcomes)
    {
        var options = new TaskOptions
        {
            Id = index.ToString(CultureInfo.InvariantCulture),
            Priority = job.Priority,
            Timeout = job.Behaviour is Behaviour.OverrunHonouringToken or Behaviour.OverrunIgnoringToken ? TimeSpan.FromMilliseconds(5) : null,
            QueueTimeout = job.QueueTimeout ? TimeSpan.FromMilliseconds(job.DelayMs + 1) : null,
            OnCompleted = result => outcomes.GetOrAdd(index, _ => []).Add(result),
        };

        async Task<int> Body(CancellationToken token)
        {
            var run = Interlocked.Increment(ref runs[index]);
            switch (job.Behaviour)
            {
                case Behaviour.Throw:
                    throw new InvalidOperationException("planned failure");
                case Behaviour.ThrowThenSucceed when run == 1:
                    throw new IOException("transient failure");
                case Behaviour.OverrunHonouringToken:
                    await Task.Delay(200, token);
                    break;
                case Behaviour.OverrunIgnoringToken:
                    await Task.Delay(20, CancellationToken.None);
                    break;
                case Behaviour.CancelledByCaller:
                    await caller.CancelAsync();
                    token.ThrowIfCancellationRequested();
                    await Task.Delay(job.DelayMs, token);
                    break;
                default:
                    await Task.Delay(job.DelayMs, token);
                    break;
            }

            return run;
        }

        try
        {
            switch (job.Mode)
            {
                case SubmitMode.Submit:
                    await pool.SubmitAsync(Body, options);
                    break;
                case SubmitMode.TrySubmit:
                    await pool.TrySubmitAsync(Body, options);
                    break;
                default:
                    await pool.RunAsync(Body, options, caller.Token);
                    break;
            }
        }
        catch (Exception ex) when (ex is SubmitRejectedException or OperationCanceledException or InvalidOperationException or IOException or TimeoutException)
        {
            // Rejections and task failures both land here; outcomes decide which it was.
        }
    }
}
