using ActorPool.Admission;
using ActorPool.Work;
using Akka.Event;

namespace ActorPool.Actors;

/// <summary>How one run ended: its outcome, the exception behind it, and whether the pool's retry rule asks for another try.</summary>
/// <remarks><c>ByRequest</c>: the run was cancelled by its id (<c>CancelAsync</c>), not by a stop or a leaving node.</remarks>
internal readonly record struct RunEnd(TaskOutcome Outcome, Exception? Error, bool RetryWanted, bool ByRequest = false);

/// <summary>
/// Runs one task at a time for the worker that owns it, local or on a cluster's node: gives the
/// run its token and deadline, calls the delegate so that nothing it does escapes (a throw, a
/// null task), and at the end classifies the outcome and asks the retry rule. Claiming the task
/// and recording the outcome stay with the worker, which knows where outcomes go.
/// </summary>
/// <remarks>Not thread-safe: only its worker calls it, one run after another.</remarks>
internal sealed class TaskRunner(RunRules rules, ILoggingAdapter log)
{
    /// <summary>The current run's own token source, when it has a timeout or a caller token.</summary>
    private CancellationTokenSource? _cancellation;
    private TaskDeadline? _deadline;

    /// <summary>
    /// The token of runs without one of their own: linked to the pool's once per worker, so that
    /// <see cref="CancelRun"/> can cancel one run without a token source per task. Replaced once used.
    /// </summary>
    private CancellationTokenSource? _shared;

    /// <summary>The current run was cancelled by its id (<c>CancelAsync</c>).</summary>
    private bool _cancelRequested;

    /// <summary>The execution context runs start in when they must carry the pool's mark; captured once.</summary>
    private ExecutionContext? _insideContext;

    /// <summary>The call <see cref="InvokeInside"/> makes: fields rather than a closure, so a start allocates nothing of ours.</summary>
    private (WorkItem? Item, CancellationToken Token) _invoking;
    private Task? _invoked;

    public RunRules Rules => rules;

    /// <summary>Calls the task's delegate; whatever it does (throw, return null) comes back as a task.</summary>
    public Task Start(WorkItem item)
    {
        _cancelRequested = false;
        var token = SharedToken();
        var timeout = rules.TimeoutOf(item.Options);
        if (timeout is not null || item.CallerToken.CanBeCanceled)
        {
            // Only a run with a deadline or a caller token needs a token of its own; the rest
            // share the worker's, which spares a token source and a registration per task.
            _cancellation = item.CallerToken.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(token, item.CallerToken)
                : CancellationTokenSource.CreateLinkedTokenSource(token);
            token = _cancellation.Token;
            if (timeout is { } limit)
            {
                _deadline = TaskDeadline.Arm(item, _cancellation, limit, rules);
            }
        }

        try
        {
            return Invoke(item, token) ?? Task.FromException(new InvalidOperationException("The task delegate returned null instead of a Task."));
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }

    /// <summary>The run's task completed: lets go of its token and deadline and says how it ended.</summary>
    public RunEnd End(WorkItem item, Task task)
    {
        var timedOut = ReleaseCancellation();
        if (task.IsCompletedSuccessfully)
        {
            return new RunEnd(TaskOutcome.Succeeded, null, RetryWanted: false);
        }

        var error = TaskErrors.Of(task);
        var outcome = Classify(item, error, timedOut);
        return outcome switch
        {
            TaskOutcome.TimedOut => new RunEnd(outcome, new TimeoutException($"The task ran longer than its timeout of {rules.TimeoutOf(item.Options)}.", error), RetryWanted: false),
            TaskOutcome.Failed => new RunEnd(outcome, error, WantsRetry(item, error)),
            _ => new RunEnd(outcome, error, RetryWanted: false, ByRequest: outcome == TaskOutcome.Cancelled && _cancelRequested),
        };
    }

    /// <summary>Cancels the current run's token, asked for by the task's id; its outcome is then <see cref="TaskOutcome.Cancelled"/> and it is not tried again.</summary>
    public void CancelRun()
    {
        _cancelRequested = true;
        if (_cancellation is not null)
        {
            Cancellations.Cancel(_cancellation);
        }
        else if (_shared is not null)
        {
            Cancellations.Cancel(_shared);
            _shared = null; // the next run gets a fresh one
        }
    }

    /// <summary>The worker goes away mid-run: the run's token is cancelled and its deadline disarmed.</summary>
    public void Abandon()
    {
        if (_shared is not null)
        {
            Cancellations.Cancel(_shared);
            _shared = null;
        }

        _deadline?.Dispose();
        _deadline = null;
        if (_cancellation is not null)
        {
            Cancellations.Cancel(_cancellation);
            _cancellation = null;
        }
    }

    /// <summary>Calls the delegate, inside the pool's mark and the run's span when either is needed.</summary>
    private Task? Invoke(WorkItem item, CancellationToken token)
    {
        if (rules.InsideMarker is null && item.Trace is null)
        {
            return item.Invoke(token);
        }

        if (_insideContext is null)
        {
            var outer = rules.InsideMarker is { } marker ? InsidePool.Enter(marker) : null;
            _insideContext = ExecutionContext.Capture();
            if (rules.InsideMarker is not null)
            {
                InsidePool.Exit(outer);
            }
        }

        if (_insideContext is null)
        {
            return item.Invoke(token); // flow suppressed by the host: no mark, no harm beyond that
        }

        _invoking = (item, token);
        ExecutionContext.Run(_insideContext, static state => ((TaskRunner)state!).InvokeInside(), this);
        var started = _invoked;
        _invoked = null;
        _invoking = default;
        return started;
    }

    private void InvokeInside()
    {
        var (item, token) = _invoking;
        if (item!.Trace is { } span)
        {
            System.Diagnostics.Activity.Current = span;
        }

        _invoked = item.Invoke(token);
    }

    /// <summary>
    /// A cancellation is the pool's (or the caller's) only when their token fired; anything else
    /// the task throws, an <see cref="OperationCanceledException"/> of its own included, is a failure.
    /// </summary>
    private TaskOutcome Classify(WorkItem item, Exception error, bool timedOut)
    {
        if (error is not OperationCanceledException)
        {
            return TaskOutcome.Failed;
        }

        if (timedOut)
        {
            return TaskOutcome.TimedOut;
        }

        return _cancelRequested || rules.PoolToken.IsCancellationRequested || item.CallerToken.IsCancellationRequested
            ? TaskOutcome.Cancelled
            : TaskOutcome.Failed;
    }

    private bool WantsRetry(WorkItem item, Exception error)
    {
        var maxAttempts = item.Options?.MaxAttempts ?? rules.MaxAttempts;
        if (_cancelRequested || item.Attempts >= maxAttempts || error is OperationCanceledException or CircuitOpenException
            || (rules.PoolTokenEndsRetries && rules.PoolToken.IsCancellationRequested) || item.CallerToken.IsCancellationRequested)
        {
            return false;
        }

        try
        {
            return rules.ShouldRetry(error);
        }
        catch (Exception ex)
        {
            log.Error(ex, "The ShouldRetry predicate threw for task {0}; not retrying", item.Id);
            return false;
        }
    }

    private CancellationToken SharedToken()
    {
        _shared ??= CancellationTokenSource.CreateLinkedTokenSource(rules.PoolToken);
        return _shared.Token;
    }

    /// <summary>Ends the current run's own token and deadline; returns whether the deadline fired.</summary>
    private bool ReleaseCancellation()
    {
        var fired = false;
        if (_deadline is not null)
        {
            _deadline.Dispose();
            fired = _deadline.Fired;
            _deadline = null;
        }

        if (_cancellation is not null)
        {
            _cancellation.Dispose();
            _cancellation = null;
        }

        return fired;
    }
}
