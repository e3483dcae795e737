using ActorPool.Work;

namespace ActorPool.Actors;

/// <summary>
/// The run timeout of one task, on a timer of the pool's clock rather than the worker's mailbox:
/// a delegate that blocks its thread cannot hold it back. At the deadline the task is recorded
/// <see cref="TaskOutcome.TimedOut"/> at once (<see cref="RunRules.DeadlinePassed"/>) and its token is cancelled; the worker stays busy
/// until the delegate really returns, so concurrency never exceeds the worker count.
/// </summary>
internal sealed class TaskDeadline : IDisposable
{
    /// <summary>Guards the hand-over between the timer and the worker ending the task.</summary>
    private readonly Lock _armLock = new();
    private readonly WorkItem _item;
    private readonly CancellationTokenSource _cancellation;
    private readonly TimeSpan _timeout;
    private readonly RunRules _rules;

    /// <summary>The timer of a test clock; null on the system clock, where the <see cref="DeadlineThread"/> fires it.</summary>
    private ITimer? _timer;
    private bool _disarmed;

    private TaskDeadline(WorkItem item, CancellationTokenSource cancellation, TimeSpan timeout, RunRules rules)
    {
        _item = item;
        _cancellation = cancellation;
        _timeout = timeout;
        _rules = rules;
    }

    /// <summary>Whether the deadline passed and cancelled the task's token.</summary>
    public bool Fired { get; private set; }

    /// <summary>Whether the deadline may still fire.</summary>
    public bool IsArmed => !Volatile.Read(ref _disarmed);

    /// <summary>Starts the clock on a running task whose token comes from <paramref name="cancellation"/>.</summary>
    public static TaskDeadline Arm(WorkItem item, CancellationTokenSource cancellation, TimeSpan timeout, RunRules rules)
    {
        var deadline = new TaskDeadline(item, cancellation, timeout, rules);
        if (ReferenceEquals(rules.Time, TimeProvider.System))
        {
            DeadlineThread.Shared.Add(deadline, timeout);
        }
        else
        {
            // A test's clock fires its own timers.
            deadline._timer = rules.Time.CreateTimer(static state => ((TaskDeadline)state!).Fire(), deadline, timeout, Timeout.InfiniteTimeSpan);
        }

        return deadline;
    }

    /// <summary>The task ended: the deadline may no longer touch it or its token source.</summary>
    public void Dispose()
    {
        bool wasArmed;
        lock (_armLock)
        {
            wasArmed = !_disarmed;
            _disarmed = true;
        }

        if (_timer is not null)
        {
            _timer.Dispose();
        }
        else if (wasArmed)
        {
            DeadlineThread.Shared.Disarmed();
        }
    }

    /// <summary>The deadline came: record the task timed out and cancel its token.</summary>
    public void Fire()
    {
        lock (_armLock)
        {
            if (_disarmed)
            {
                return;
            }

            _disarmed = true;
            Fired = true;
            if (_timer is null)
            {
                DeadlineThread.Shared.Disarmed();
            }

            var error = new TimeoutException($"The task ran longer than its timeout of {_timeout}.");
            _rules.DeadlinePassed(_item, error);

            // Under the lock, so the worker cannot dispose the source meanwhile; the task's own
            // cancellation callbacks run on the thread pool, never on this timer thread.
            Cancellations.Cancel(_cancellation);
        }
    }
}
