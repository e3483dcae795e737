using ActorPool.Messages;
using ActorPool.Work;
using Akka.Actor;

namespace ActorPool.Actors;

/// <summary>
/// The run timeout of one task, on a timer of the pool's clock rather than the worker's mailbox:
/// a delegate that blocks its thread cannot hold it back. At the deadline the task is recorded
/// <see cref="TaskOutcome.TimedOut"/> at once and its token is cancelled; the worker stays busy
/// until the delegate really returns, so concurrency never exceeds the worker count.
/// </summary>
internal sealed class TaskDeadline : IDisposable
{
    /// <summary>Guards the hand-over between the timer and the worker ending the task.</summary>
    private readonly Lock _armLock = new();
    private readonly WorkItem _item;
    private readonly CancellationTokenSource _cancellation;
    private readonly TimeSpan _timeout;
    private readonly WorkerContext _context;
    private readonly ITimer _timer;
    private bool _disarmed;

    private TaskDeadline(WorkItem item, CancellationTokenSource cancellation, TimeSpan timeout, WorkerContext context)
    {
        _item = item;
        _cancellation = cancellation;
        _timeout = timeout;
        _context = context;
        _timer = context.Time.CreateTimer(static state => ((TaskDeadline)state!).Fire(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Starts the clock on a running task whose token comes from <paramref name="cancellation"/>.</summary>
    public static TaskDeadline Arm(WorkItem item, CancellationTokenSource cancellation, TimeSpan timeout, WorkerContext context) =>
        new(item, cancellation, timeout, context);

    /// <summary>Whether the deadline passed and cancelled the task's token.</summary>
    public bool Fired { get; private set; }

    /// <summary>The task ended: the timer may no longer touch it or its token source.</summary>
    public void Dispose()
    {
        lock (_armLock)
        {
            _disarmed = true;
        }

        _timer.Dispose();
    }

    private void Fire()
    {
        lock (_armLock)
        {
            if (_disarmed)
            {
                return;
            }

            _disarmed = true;
            Fired = true;
            var error = new TimeoutException($"The task ran longer than its timeout of {_timeout}.");
            if (_context.Recorder.TrySettle(_item, ItemState.Running, TaskOutcome.TimedOut, error, ran: true))
            {
                _context.Supervisor.Tell(new TaskSettled(_item), ActorRefs.NoSender);
            }

            // Under the lock, so the worker cannot dispose the source meanwhile; the task's own
            // cancellation callbacks run on the thread pool, never on this timer thread.
            Cancellations.Cancel(_cancellation);
        }
    }
}
