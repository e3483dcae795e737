namespace ActorPool.Actors.Supervision;

/// <summary>
/// The pool-wide circuit breaker, kept inside the supervisor so the decision to start a task
/// is made where tasks are dispatched and costs no worker.
/// </summary>
/// <remarks>
/// Akka's <c>CircuitBreaker</c> guards calls it wraps and keeps its own timers; here the
/// question is asked before a task reaches a worker, by one actor, on the pool's
/// <see cref="TimeProvider"/>, so a few fields in that actor do the job without locks.
/// </remarks>
internal sealed class CircuitBreakerState(CircuitBreakerOptions options, TimeProvider time)
{
    private int _consecutiveFailures;
    private long _openedAt;
    private bool _trialRunning;

    public BreakerPhase Phase { get; private set; } = BreakerPhase.Closed;

    /// <summary>Whether tasks are refused now, without changing state.</summary>
    public bool IsRejecting() => Phase switch
    {
        BreakerPhase.Open => time.GetElapsedTime(_openedAt) < options.ResetTimeout,
        BreakerPhase.HalfOpen => _trialRunning,
        _ => false,
    };

    /// <summary>Whether a task may start now; in half-open state only one trial task may.</summary>
    /// <param name="becameHalfOpen">Set when this call moved the breaker from open to half-open.</param>
    public bool AllowStart(out bool becameHalfOpen)
    {
        becameHalfOpen = false;
        switch (Phase)
        {
            case BreakerPhase.Closed:
                return true;
            case BreakerPhase.Open when time.GetElapsedTime(_openedAt) >= options.ResetTimeout:
                Phase = BreakerPhase.HalfOpen;
                becameHalfOpen = true;
                _trialRunning = true;
                return true;
            case BreakerPhase.HalfOpen when !_trialRunning:
                _trialRunning = true;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Records a task that succeeded; returns true if that closed the breaker.</summary>
    public bool OnSuccess()
    {
        _consecutiveFailures = 0;
        if (Phase != BreakerPhase.HalfOpen)
        {
            return false; // a task started before the breaker opened says nothing about now
        }

        Phase = BreakerPhase.Closed;
        _trialRunning = false;
        return true;
    }

    /// <summary>Records a task that failed or timed out; returns true if that opened the breaker.</summary>
    public bool OnFailure()
    {
        if (Phase == BreakerPhase.Open)
        {
            return false;
        }

        _consecutiveFailures++;
        if (Phase == BreakerPhase.HalfOpen || (Phase == BreakerPhase.Closed && _consecutiveFailures >= options.MaxFailures))
        {
            Phase = BreakerPhase.Open;
            _openedAt = time.GetTimestamp();
            _trialRunning = false;
            return true;
        }

        return false;
    }

    /// <summary>A task ended neither way (cancelled): a trial it was is given back.</summary>
    public void OnNeutral() => _trialRunning = false;

    /// <summary>Takes in the outcome of a run and says whether that opened or closed the breaker.</summary>
    public BreakerChange Observe(TaskOutcome outcome)
    {
        switch (outcome)
        {
            case TaskOutcome.Succeeded:
                return OnSuccess() ? BreakerChange.Closed : BreakerChange.None;
            case TaskOutcome.Failed or TaskOutcome.TimedOut:
                return OnFailure() ? BreakerChange.Opened : BreakerChange.None;
            default:
                OnNeutral();
                return BreakerChange.None;
        }
    }
}

/// <summary>What an observed outcome did to the breaker.</summary>
internal enum BreakerChange
{
    /// <summary>Nothing changed.</summary>
    None,

    /// <summary>The breaker opened: tasks fail fast from now on.</summary>
    Opened,

    /// <summary>The trial succeeded and the breaker closed.</summary>
    Closed,
}

/// <summary>The circuit breaker's state.</summary>
internal enum BreakerPhase
{
    /// <summary>Tasks start normally.</summary>
    Closed,

    /// <summary>Tasks fail fast until the reset timeout passes.</summary>
    Open,

    /// <summary>One trial task decides whether the breaker closes.</summary>
    HalfOpen,
}
