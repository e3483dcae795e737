using System.Diagnostics;
using ActorPool.Benchmarks.Contenders;

namespace ActorPool.Benchmarks.Scenarios;

/// <summary>
/// Bytes per queued task: one worker held by a task that waits for a release, then many no-op
/// tasks queued behind it; the heap after a full collection, minus the heap before, divided by
/// the number queued.
/// </summary>
/// <remarks>
/// What a caller keeps to await its task (the RunAsync task, the completion source's task) is
/// counted, in an array of the tasks, because the pool keeps per-task records of its own for it.
/// A SubmitAsync caller keeps nothing but the id once its task is accepted.
/// </remarks>
public sealed class QueuedScenario : IAsyncDisposable
{
    public static readonly string[] Contenders =
    [
        ChannelsPool.CompletionName,
        ChannelsPool.CountedName,
        ActorPoolContender.SubmitName,
        ActorPoolContender.RunName,
    ];

    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);

    private readonly string _contender;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ChannelsPool? _channels;
    private WorkerPool? _pool;
    private Task[] _callers = [];
    private long _before;
    private int _queued;

    private QueuedScenario(string contender) => _contender = contender;

    /// <summary>Starts a one-worker pool, blocks its worker and takes the heap size to compare against.</summary>
    public static async Task<QueuedScenario> PrepareAsync(string contender)
    {
        if (!Contenders.Contains(contender))
        {
            throw new ArgumentOutOfRangeException(nameof(contender), contender, "No queued-memory scenario for this contender.");
        }

        var scenario = new QueuedScenario(contender);
        try
        {
            if (contender is ChannelsPool.CompletionName or ChannelsPool.CountedName)
            {
                scenario._channels = new ChannelsPool(1, contender == ChannelsPool.CompletionName, capacity: 0, scenario._lifetime.Token);
                await scenario._channels.EnqueueAsync(scenario.BlockAsync, null);
            }
            else
            {
                scenario._pool = new WorkerPool(new WorkerPoolOptions { Workers = 1, QueueSize = 0, MaxRetainedResults = 0 });
                scenario._pool.Start(scenario._lifetime.Token);
                await scenario._pool.SubmitAsync(scenario.BlockAsync);
            }

            await scenario._blocked.Task.WaitAsync(GiveUpAfter);
        }
        catch
        {
            await scenario.DisposeAsync();
            throw;
        }

        scenario._before = Heap.Settled();
        return scenario;
    }

    /// <summary>Queues <paramref name="count"/> no-op tasks behind the blocked worker and waits until the pool holds them all.</summary>
    public async Task EnqueueAsync(int count)
    {
        _queued = count;
        switch (_contender)
        {
            case ChannelsPool.CompletionName:
                _callers = new Task[count];
                for (var i = 0; i < count; i++)
                {
                    var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _callers[i] = completion.Task;
                    await _channels!.EnqueueAsync(Workloads.NoOp, completion);
                }

                break;
            case ChannelsPool.CountedName:
                for (var i = 0; i < count; i++)
                {
                    await _channels!.EnqueueAsync(Workloads.NoOp, null);
                }

                break;
            case ActorPoolContender.SubmitName:
                for (var i = 0; i < count; i++)
                {
                    await _pool!.SubmitAsync(Workloads.NoOp);
                }

                break;
            default:
                _callers = new Task[count];
                for (var i = 0; i < count; i++)
                {
                    _callers[i] = _pool!.RunAsync(static _ => Task.FromResult(true));
                }

                // RunAsync hands back the caller's task before the pool has taken the work in.
                var clock = Stopwatch.StartNew();
                while (_pool!.GetStats().Queued < count && clock.Elapsed < GiveUpAfter)
                {
                    await Task.Delay(10);
                }

                break;
        }
    }

    /// <summary>Heap bytes held per queued task, after full collections.</summary>
    public double RetainedBytesPerTask()
    {
        var bytes = (Heap.Settled() - _before) / (double)Math.Max(1, _queued);
        GC.KeepAlive(_callers);
        return bytes;
    }

    /// <summary>Cancels the pool's start token, so queued tasks are dropped (or recorded) rather than run, and stops it.</summary>
    /// <exception cref="TimeoutException">The pool had not stopped, or its callers completed, after 60 s; a smoke run reports that rather than hang.</exception>
    public async ValueTask DisposeAsync()
    {
        await _lifetime.CancelAsync();
        _release.TrySetResult();
        if (_channels is not null)
        {
            await _channels.DisposeAsync().AsTask().WaitAsync(GiveUpAfter);
        }

        if (_pool is not null)
        {
            await _pool.DisposeAsync().AsTask().WaitAsync(GiveUpAfter);
        }

        var callers = Task.WhenAll(_callers);
        if (await Task.WhenAny(callers, Task.Delay(GiveUpAfter)) != callers)
        {
            throw new TimeoutException($"{_callers.Count(c => !c.IsCompleted)} queued callers still pending {GiveUpAfter.TotalSeconds:F0} s after the stop.");
        }

        _callers = [];
        _lifetime.Dispose();
    }

    private Task BlockAsync(CancellationToken cancellationToken)
    {
        _blocked.TrySetResult();
        return _release.Task;
    }
}
