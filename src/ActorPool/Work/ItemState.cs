namespace ActorPool.Work;

/// <summary>
/// Where a task is in its life. A <see cref="WorkItem"/> moves between these only by
/// compare-and-swap, so when several parties race (a worker finishing, a deadline timer, the
/// supervisor stopping) exactly one of them settles it.
/// </summary>
internal static class ItemState
{
    /// <summary>Accepted at the admission gate and on its way into the supervisor.</summary>
    public const int Inbox = 0;

    /// <summary>Waiting to start: in the supervisor's queue or in a batch a worker holds.</summary>
    public const int Queued = 1;

    /// <summary>A worker has started it.</summary>
    public const int Running = 2;

    /// <summary>Its run failed and it may try again; the worker left it for the supervisor to schedule.</summary>
    public const int Retrying = 3;

    /// <summary>The supervisor has scheduled its next try and holds it until the backoff passes.</summary>
    public const int RetryWaiting = 4;

    /// <summary>An outcome is being written; <see cref="Settled"/> follows within instructions.</summary>
    public const int Settling = 5;

    /// <summary>It has its one outcome.</summary>
    public const int Settled = 6;

    /// <summary>Its submitter took it back because the pool closed in between: it was never accepted.</summary>
    public const int Withdrawn = 7;

    /// <summary>
    /// Taken in by a durable pool's journal, which writes it down before it goes on to the
    /// supervisor; from here on its submitter cannot withdraw it.
    /// </summary>
    public const int Journaled = 8;

    /// <summary>Waiting in line for queue room, not yet accepted; admitted from here to <see cref="Inbox"/>, or refused to <see cref="Withdrawn"/>.</summary>
    public const int InLine = 9;
}
