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
internal sealed class PoolLifecycle
{
    private readonly IActorRef _supervisor;
    private readonly AdmissionGate _gate;
    private readonly CancellationTokenSource _poolCancellation;
    private CancellationTokenRegistration _startRegistration;
    private int _started;

    /// <summary>Completes when every accepted task has a recorded outcome.</summary>
    private readonly Once _drain;

    /// <summary>The pool's stop, after the drain; created by the first stop.</summary>
    private Once? _stop;

    /// <summary>Whether a stop began.</summary>
    public bool StopRequested => _drain.Started is not null || Volatile.Read(ref _stop) is not null;

    /// <summary>The stop, once one began; null before.</summary>
    public Task? StopTask => Volatile.Read(ref _stop)?.Started ?? _drain.Started;

    public PoolLifecycle(IActorRef supervisor, AdmissionGate gate, CancellationTokenSource poolCancellation)
    {
        _supervisor = supervisor;
        _gate = gate;
        _poolCancellation = poolCancellation;
        _drain = new Once(BeginDrain);
    }

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

        _supervisor.Tell(StartPool.Instance);
    }

    /// <summary>The start token fired: running tasks see it at once, queued ones are cancelled, no more are accepted.</summary>
    public void CancelFromStartToken()
    {
        // The token's own callbacks (user code) run on the thread pool, not on the canceller's thread.
        Cancellations.Cancel(_poolCancellation);
        _gate.Close();
        _supervisor.Tell(CancelPool.Instance);
    }

    /// <summary>Closes admission at once and lets the pool drain; idempotent, safe from any thread.</summary>
    public Task DrainAsync() => _drain.Run();

    /// <summary>The first drain: closes the gate on the caller's thread, then the supervisor drains.</summary>
    private Task BeginDrain()
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _gate.Close();
        _supervisor.Tell(new StopPool(completion));
        return completion.Task;
    }

    /// <summary>Runs <paramref name="stop"/> once (after closing admission synchronously); every caller gets the same task.</summary>
    public Task StopOnce(Func<Task> stop)
    {
        _gate.Close();
        var once = Volatile.Read(ref _stop) ?? Interlocked.CompareExchange(ref _stop, new Once(stop), null) ?? Volatile.Read(ref _stop)!;
        return once.Run();
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
