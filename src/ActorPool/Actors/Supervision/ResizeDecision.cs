namespace ActorPool.Actors.Supervision;

/// <summary>
/// The automatic resizer's judgement, made once per interval from the queue: tasks waiting while
/// every worker is busy add workers (up to one per waiting task, at most doubling); workers idle
/// for two looks in a row with nothing queued are retired one at a time; always within the bounds.
/// </summary>
internal sealed class ResizeDecision(ResizerOptions bounds)
{
    private bool _idleAtLastLook;

    /// <summary>The worker count to move to, or null to stay.</summary>
    public int? Look(int target, int queued, int idleWorkers)
    {
        var idle = queued == 0 && idleWorkers > 0;
        int? next = null;
        if (queued > 0 && idleWorkers == 0 && target < bounds.UpperBound)
        {
            next = target + Math.Min(Math.Min(queued, Math.Max(target, 1)), bounds.UpperBound - target);
        }
        else if (idle && _idleAtLastLook && target > bounds.LowerBound)
        {
            next = target - 1;
        }

        _idleAtLastLook = idle;
        return next;
    }
}
