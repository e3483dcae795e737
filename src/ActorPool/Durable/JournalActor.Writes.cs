using Akka.Event;
using Akka.Persistence;

namespace ActorPool.Durable;

// The journal's writes: outcomes and starts behind, snapshots and the deletions they allow, and
// the waiters that wait for them.
internal sealed partial class JournalActor
{
    /// <summary>Journals what started and finished since the last write; <paramref name="synced"/> completes once written.</summary>
    private void Flush(TaskCompletionSource? synced = null)
    {
        _flushScheduled = false;
        if (_started.Count > 0)
        {
            PersistAsync(new TasksStarted([.. _started]), _state.Apply);
            _started.Clear();
        }

        if (_finished.Count > 0)
        {
            PersistAsync(new TasksFinished([.. _finished]), finished =>
            {
                _state.Apply(finished);
                ReleaseWaiters();
                if (_state.SnapshotDue(_context.Options.Persistence.SnapshotEvery))
                {
                    _housekeeping++;
                    SaveSnapshot(_state.Snapshot(_context.Options.TimeProvider.GetUtcNow()));
                }
            });
            _finished.Clear();
        }

        if (synced is not null)
        {
            // Runs after every write persisted before it; then waits for the tidying those started.
            DeferAsync(synced, done =>
            {
                _syncs.Add(done);
                Housekept();
            });
        }
    }

    private void HandleSnapshotSaved(SaveSnapshotSuccess saved)
    {
        _housekeeping += 1; // the save (-1 below) is followed by two deletions (+2)
        DeleteMessages(saved.Metadata.SequenceNr);
        DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
        Housekept();
    }

    private void Done()
    {
        _housekeeping--;
        Housekept();
    }

    /// <summary>A snapshot save or deletion was answered (or a sync asks); syncs complete once none is pending.</summary>
    private void Housekept(string? problem = null)
    {
        if (problem is not null)
        {
            _log.Warning("Pool {0}: {1}", _context.Name, problem);
            _housekeeping--;
        }

        if (_housekeeping > 0)
        {
            return;
        }

        foreach (var sync in _syncs)
        {
            sync.TrySetResult();
        }

        _syncs.Clear();
    }

    private void AddWaiter(TaskCompletionSource completion)
    {
        TakeIn();
        _waiters.Enqueue((_state.LastId, completion));
        ReleaseWaiters();
    }

    /// <summary>
    /// A waiter is done once no task up to its id is unfinished (finishing in order of id is not
    /// needed). Waiters come with rising ids, so they leave from the front.
    /// </summary>
    private void ReleaseWaiters()
    {
        var lowest = _state.LowestUnfinished();
        while (_waiters.TryPeek(out var waiter) && waiter.LastId < lowest)
        {
            _waiters.Dequeue().Completion.TrySetResult();
        }
    }
}
