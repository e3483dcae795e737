using System.Diagnostics;
using System.Runtime.ExceptionServices;
using ActorPool.Benchmarks.Contenders;

namespace ActorPool.Benchmarks.Scenarios;

/// <summary>
/// Cancel → stopped: a pool whose 100 workers are all busy (each waiting on its token) and whose
/// queue holds 10,000 more tasks, then its start token is cancelled. Measured from the cancel to
/// the moment its stop has completed and every caller still waiting has been completed too.
/// </summary>
/// <remarks>
/// The SubmitAsync pool's callers were answered when their tasks were accepted; what is pending
/// there is the 10,000 queued tasks, which the stop must record. The RunAsync pool has 10,100
/// callers awaiting (the busy ones and the queued ones), like the Channels pool with a completion
/// per task; the counted Channels pool just drops its queue.
/// </remarks>
public sealed class CancelScenario : IAsyncDisposable
{
    public const int Busy = 100;
    public const int Pending = 10_000;

    public static readonly string[] Contenders =
    [
        ChannelsPool.CountedName,
        ChannelsPool.CompletionName,
        ActorPoolContender.SubmitName,
        ActorPoolContender.RunName,
    ];

    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _lifetime = new();
    private readonly List<Task> _callers = new(Busy + Pending);
    private readonly TaskCompletionSource _allBusy = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Func<Task> _stop = static () => Task.CompletedTask;
    private Func<ValueTask> _dispose = static () => ValueTask.CompletedTask;
    private Task _callersDone = Task.CompletedTask;
    private int _started;

    private CancelScenario()
    {
    }

    /// <summary>Builds the pool and waits until every worker is busy and every pending task is queued.</summary>
    public static async Task<CancelScenario> PrepareAsync(string contender)
    {
        var scenario = new CancelScenario();
        try
        {
            await scenario.FillAsync(contender);
        }
        catch
        {
            await scenario.DisposeAsync();
            throw;
        }

        // Made before the clock starts, so that watching 10,000 callers is not part of the time.
        scenario._callersDone = Task.WhenAll(scenario._callers);
        return scenario;
    }

    /// <summary>Cancels the start token and waits for the stop and every caller.</summary>
    /// <exception cref="TimeoutException">The stop or some caller had not completed after 30 s.</exception>
    public async Task<CancelResult> CancelAndWaitAsync()
    {
        var exceptions = 0;
        void Count(object? sender, FirstChanceExceptionEventArgs e) => Interlocked.Increment(ref exceptions);
        var giveUp = Task.Delay(GiveUpAfter);
        AppDomain.CurrentDomain.FirstChanceException += Count;
        var clock = Stopwatch.StartNew();
        await _lifetime.CancelAsync();
        var all = Task.WhenAll(_stop(), _callersDone);
        var finished = await Task.WhenAny(all, giveUp) == all;
        var elapsed = clock.Elapsed;
        AppDomain.CurrentDomain.FirstChanceException -= Count;
        if (!finished)
        {
            throw new TimeoutException($"Cancel to stopped: {_callers.Count(c => !c.IsCompleted)} callers (or the stop) still pending after {GiveUpAfter.TotalSeconds:F0} s.");
        }

        return new CancelResult(elapsed, Volatile.Read(ref exceptions));
    }

    /// <exception cref="TimeoutException">The pool had not stopped after 30 s; a smoke run reports that rather than hang.</exception>
    public async ValueTask DisposeAsync()
    {
        await _lifetime.CancelAsync();
        await _dispose().AsTask().WaitAsync(GiveUpAfter);
        _lifetime.Dispose();
    }

    private async Task FillAsync(string contender)
    {
        switch (contender)
        {
            case ChannelsPool.CountedName:
            case ChannelsPool.CompletionName:
                var withCompletion = contender == ChannelsPool.CompletionName;
                var channels = new ChannelsPool(Busy, withCompletion, capacity: 0, _lifetime.Token);
                _stop = channels.StopAsync;
                _dispose = channels.DisposeAsync;
                for (var i = 0; i < Busy + Pending; i++)
                {
                    var completion = withCompletion ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
                    await channels.EnqueueAsync(i < Busy ? BusyAsync : Workloads.NoOp, completion);
                    if (completion is not null)
                    {
                        _callers.Add(completion.Task);
                    }

                    if (i == Busy - 1)
                    {
                        await WhenAllBusyAsync();
                    }
                }

                break;

            case ActorPoolContender.SubmitName:
            case ActorPoolContender.RunName:
                var pool = new WorkerPool(new WorkerPoolOptions { Workers = Busy, QueueSize = 2 * (Busy + Pending) });
                pool.Start(_lifetime.Token);
                _stop = () => pool.StopAsync();
                _dispose = pool.DisposeAsync;
                var run = contender == ActorPoolContender.RunName;
                Func<CancellationToken, Task<bool>> busy = async ct =>
                {
                    await BusyAsync(ct);
                    return true;
                };
                for (var i = 0; i < Busy + Pending; i++)
                {
                    if (run)
                    {
                        _callers.Add(pool.RunAsync(i < Busy ? busy : NoOpTrue));
                    }
                    else
                    {
                        await pool.SubmitAsync(i < Busy ? BusyAsync : Workloads.NoOp);
                    }

                    if (i == Busy - 1)
                    {
                        await WhenAllBusyAsync();
                    }
                }

                // A submit returns once its task is accepted; RunAsync returns the caller's task
                // at once, so wait for the pool to show all of them queued.
                var deadline = Stopwatch.StartNew();
                while (run && pool.GetStats().Queued < Pending && deadline.Elapsed < GiveUpAfter)
                {
                    await Task.Delay(1);
                }

                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(contender), contender, "No cancel scenario for this contender.");
        }
    }

    private static Task<bool> NoOpTrue(CancellationToken cancellationToken) => Task.FromResult(true);

    private async Task WhenAllBusyAsync()
    {
        if (await Task.WhenAny(_allBusy.Task, Task.Delay(GiveUpAfter)) != _allBusy.Task)
        {
            throw new TimeoutException($"Only {Volatile.Read(ref _started)} of {Busy} workers started within {GiveUpAfter.TotalSeconds:F0} s.");
        }
    }

    private async Task BusyAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _started) == Busy)
        {
            _allBusy.TrySetResult();
        }

        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}

/// <summary>How long cancel → stopped took and how many exceptions were thrown meanwhile (first-chance, all threads).</summary>
public readonly record struct CancelResult(TimeSpan Elapsed, int Exceptions);
