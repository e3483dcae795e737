using ActorPool.Messages;
using Akka.Actor;

namespace ActorPool;

/// <summary>
/// Admission and stop for one pool, kept apart from <see cref="WorkerPool"/> so that
/// CoordinatedShutdown and token callbacks can reach it without keeping the pool alive.
/// </summary>
internal sealed class PoolLifecycle(IActorRef supervisor, CancellationTokenSource poolCancellation) : IDisposable
{
    /// <summary>Cancelled once the pool stops admitting tasks; wakes submitters waiting for room.</summary>
    private readonly CancellationTokenSource _closing = new();

    /// <summary>1 once admission is closed. Written with a full fence (see <see cref="TryEnter"/>).</summary>
    private int _closed;

    /// <summary>Submits between their admission check and their message reaching the supervisor's mailbox.</summary>
    private int _submitting;

    /// <summary>Completes when every accepted task has a recorded outcome; created once.</summary>
    private Task? _drain;

    /// <summary>Cancels every running task's token: the start token, a forced stop or the shutdown deadline fire it.</summary>
    public CancellationTokenSource PoolCancellation { get; } = poolCancellation;

    public CancellationToken ClosingToken => _closing.Token;

    public bool IsClosed => Volatile.Read(ref _closed) == 1;

    /// <summary>Admits one submit unless the pool is closing; pair with <see cref="Exit"/> once its message is sent.</summary>
    /// <remarks>
    /// The increment and <see cref="Close"/>'s exchange are both full fences, so either the submit sees
    /// the pool closed or <see cref="Close"/> waits until its message is in the supervisor's mailbox,
    /// ahead of the stop message: no accepted submit can land after the supervisor stopped.
    /// </remarks>
    public bool TryEnter()
    {
        Interlocked.Increment(ref _submitting);
        if (Volatile.Read(ref _closed) == 1)
        {
            Exit();
            return false;
        }

        return true;
    }

    public void Exit() => Interlocked.Decrement(ref _submitting);

    /// <summary>Stops admitting tasks and waits out the submits already past their check (a few instructions each).</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }

        _closing.Cancel();
        var spin = default(SpinWait);
        while (Volatile.Read(ref _submitting) != 0)
        {
            spin.SpinOnce();
        }
    }

    /// <summary>The start token fired: running tasks see it at once, queued ones are cancelled.</summary>
    public void CancelFromStartToken()
    {
        PoolCancellation.Cancel();
        Close();
        supervisor.Tell(CancelPool.Instance);
    }

    /// <summary>Closes admission and lets the pool drain; idempotent, safe from any thread.</summary>
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

        Close();
        supervisor.Tell(new StopPool(completion));
        return completion.Task;
    }

    /// <summary>Frees the token sources once the pool has stopped and no task can observe them.</summary>
    public void Dispose()
    {
        _closing.Dispose();
        PoolCancellation.Dispose();
    }
}
