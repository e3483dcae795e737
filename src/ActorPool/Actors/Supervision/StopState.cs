namespace ActorPool.Actors.Supervision;

/// <summary>How far a stop has come, and who waits for it to finish.</summary>
internal sealed class StopState
{
    private readonly List<TaskCompletionSource> _waiters = [];

    /// <summary>Why queued tasks that never start are cancelled, once that is decided.</summary>
    public string? CancelReason { get; private set; }

    /// <summary>A stop was asked for; dispatch goes on until the queue drains or the deadline passes.</summary>
    public bool Requested { get; private set; }

    /// <summary>Every accepted task has its outcome.</summary>
    public bool Finished { get; private set; }

    /// <summary>Nothing queued may start any more (start token, forced stop or deadline).</summary>
    public bool Cancelling => CancelReason is not null;

    public void Request(TaskCompletionSource waiter)
    {
        Requested = true;
        _waiters.Add(waiter);
    }

    /// <summary>From now on nothing queued starts; the first reason given is kept.</summary>
    public void Cancel(string reason) => CancelReason ??= reason;

    /// <summary>Whether the stop can finish now: asked for, and nothing is left without an outcome.</summary>
    public bool CanFinish(long outstanding, int queued, int retrying) =>
        Requested && !Finished && outstanding == 0 && queued == 0 && retrying == 0;

    /// <summary>Marks the stop finished and hands over its waiters.</summary>
    public List<TaskCompletionSource> Finish()
    {
        Finished = true;
        var waiters = new List<TaskCompletionSource>(_waiters);
        _waiters.Clear();
        return waiters;
    }
}
