using ActorPool.Actors;
using ActorPool.Admission;
using ActorPool.Messages;
using Akka;
using Akka.Actor;

namespace ActorPool;

/// <summary>
/// Start and stop of one pool, kept apart from <see cref="WorkerPool"/> so that CoordinatedShutdown
/// and token callbacks can reach it without keeping the pool alive. It holds the one stop guard:
/// every way of stopping (a call, the system's CoordinatedShutdown, disposal) runs the same drain once.
/// </summary>
internal sealed class PoolLifecycle(IActorRef supervisor, AdmissionGate gate, CancellationTokenSource poolCancellation)
{
    private CancellationTokenRegistration _startRegistration;
    private int _started;

    /// <summary>Completes when every accepted task has a recorded outcome; created once.</summary>
    private Task? _drain;

    /// <summary>Completes when the pool has stopped, after the drain; created once.</summary>
    private Task? _stop;

    /// <summary>Whether a stop began.</summary>
    public bool StopRequested => Volatile.Read(ref _drain) is not null || Volatile.Read(ref _stop) is not null;

    /// <summary>The stop, once one began; null before.</summary>
    public Task? StopTask => Volatile.Read(ref _stop) ?? Volatile.Read(ref _drain);

    /// <summary>Lets tasks run; the first call wins, and none after a stop began.</summary>
    public void Start(CancellationToken startToken)
    {
        if (StopRequested || Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }

        if (startToken.CanBeCanceled)
        {
            _startRegistration = startToken.Register(static state => ((PoolLifecycle)state!).CancelFromStartToken(), this);
        }

        supervisor.Tell(StartPool.Instance);
    }

    /// <summary>The start token fired: running tasks see it at once, queued ones are cancelled, no more are accepted.</summary>
    public void CancelFromStartToken()
    {
        // The token's own callbacks (user code) run on the thread pool, not on the canceller's thread.
        Cancellations.Cancel(poolCancellation);
        gate.Close();
        supervisor.Tell(CancelPool.Instance);
    }

    /// <summary>Closes admission at once and lets the pool drain; idempotent, safe from any thread.</summary>
    public Task DrainAsync()
    {
        var existing = Volatile.Read(ref _drain);
        if (existing is not null)
        {
            return existing;
        }

        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        existing = Interlocked.CompareExchange(ref _drain, completion.Task, null);
        if (existing is not null)
        {
            return existing;
        }

        gate.Close();
        supervisor.Tell(new StopPool(completion));
        return completion.Task;
    }

    /// <summary>Runs <paramref name="stop"/> once (after closing admission synchronously); every caller gets the same task.</summary>
    public Task StopOnce(Func<Task> stop)
    {
        gate.Close();
        var existing = Volatile.Read(ref _stop);
        if (existing is not null)
        {
            return existing;
        }

        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        existing = Interlocked.CompareExchange(ref _stop, completion.Task, null);
        if (existing is not null)
        {
            return existing;
        }

        _ = RunAsync(stop, completion);
        return completion.Task;

        async Task RunAsync(Func<Task> run, TaskCompletionSource done)
        {
            try
            {
                await run().ConfigureAwait(false);
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        }
    }

    /// <summary>The drain as a CoordinatedShutdown task.</summary>
    public async Task<Done> DrainForShutdownAsync()
    {
        await DrainAsync().ConfigureAwait(false);
        return Done.Instance;
    }

    /// <summary>Lets go of the start token once the pool has stopped.</summary>
    /// <remarks>The pool's own token source is left to the collector: a task stuck past the stop may still hold its token.</remarks>
    public void Release() => _startRegistration.Dispose();
}
