using System.Threading.Channels;

namespace ActorPool.Benchmarks.Contenders;

/// <summary>
/// The BCL baseline: a fixed set of worker loops reading one channel. "Counted" counts finished
/// tasks (what <c>SubmitAsync</c> gives); "completion" hands each caller a completion source
/// (what <c>RunAsync</c> gives). Cancelling its lifetime token is its stop: running tasks see
/// the token, and the workers cancel every caller still waiting in the channel, as a pool that
/// hands out completions must.
/// </summary>
public sealed class ChannelsPool : IContender
{
    public const string CountedName = "Channels pool (counted)";
    public const string CompletionName = "Channels pool + TCS";

    private readonly Channel<Item> _channel;
    private readonly CancellationTokenSource _stop;
    private readonly Task[] _workers;
    private readonly bool _withCompletion;
    private long _done;
    private TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _target;

    /// <param name="workers">Worker loops.</param>
    /// <param name="withCompletion">Whether each task carries a completion source for its caller.</param>
    /// <param name="capacity">The channel's bound; 0 for unbounded (to measure memory per queued task).</param>
    /// <param name="lifetime">The pool's start token, like <c>WorkerPool.Start(token)</c>: cancelling it stops the pool.</param>
    public ChannelsPool(int workers, bool withCompletion, int capacity = 100_000, CancellationToken lifetime = default)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        _channel = capacity > 0
            ? Channel.CreateBounded<Item>(new BoundedChannelOptions(capacity) { SingleWriter = true })
            : Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleWriter = true });
        _withCompletion = withCompletion;
        _workers = Enumerable.Range(0, workers).Select(_ => Task.Run(WorkAsync)).ToArray();
    }

    public string Name => _withCompletion ? CompletionName : CountedName;

    /// <summary>The token running tasks see; cancelling it is this pool's stop.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>
    /// Callers of the counted pool await their enqueue (as <c>SubmitAsync</c>'s await acceptance),
    /// then the run waits for the count; callers of the completion pool await their own task.
    /// </summary>
    public async Task RunAllAsync(int count, Func<CancellationToken, Task> work)
    {
        Volatile.Write(ref _done, 0);
        Volatile.Write(ref _target, count);
        _allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_withCompletion)
        {
            await ClosedLoop.RunAsync(count, () => new ValueTask(RunOneAsync(work)));
            return;
        }

        await ClosedLoop.RunAsync(count, () => _channel.Writer.WriteAsync(new Item(work, null)));
        await _allDone.Task;
    }

    /// <summary>Queues one task and completes when it has run: the caller's whole await, with no state machine of ours when the write completes at once.</summary>
    public Task RunOneAsync(Func<CancellationToken, Task> work)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var write = _channel.Writer.WriteAsync(new Item(work, completion));
        return write.IsCompletedSuccessfully ? completion.Task : AfterWriteAsync(write, completion.Task);

        static async Task AfterWriteAsync(ValueTask write, Task done)
        {
            await write;
            await done;
        }
    }

    /// <summary>Queues one task, with a completion source for its caller or (counted) without; used by the latency, cancel and queued-memory rows.</summary>
    public ValueTask EnqueueAsync(Func<CancellationToken, Task> work, TaskCompletionSource? completion) =>
        _channel.Writer.WriteAsync(new Item(work, completion));

    /// <summary>Cancels running tasks and waits for the worker loops to end.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        _channel.Writer.TryComplete();
        await Task.WhenAll(_workers).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var item in _channel.Reader.ReadAllAsync(_stop.Token))
            {
                try
                {
                    await item.Work(_stop.Token);
                    item.Completion?.TrySetResult();
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    item.Completion?.TrySetCanceled(_stop.Token);
                }
                catch (Exception ex)
                {
                    item.Completion?.TrySetException(ex);
                }

                if (Interlocked.Increment(ref _done) == Volatile.Read(ref _target))
                {
                    _allDone.TrySetResult();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped: callers whose task never ran must still hear about it. Every worker drains,
            // so the slowest part of a stop (completing thousands of callers) is shared.
            while (_channel.Reader.TryRead(out var item))
            {
                item.Completion?.TrySetCanceled(_stop.Token);
            }
        }
    }

    private readonly record struct Item(Func<CancellationToken, Task> Work, TaskCompletionSource? Completion);
}
