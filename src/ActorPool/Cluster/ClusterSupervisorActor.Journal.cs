using ActorPool.Durable;
using ActorPool.Work;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Cluster;

// The clustered supervisor's journal (durable mode): reading it back on the node that takes the
// singleton over, and writing starts and outcomes behind.
internal sealed partial class ClusterSupervisorActor
{
    /// <summary>The journal is read back: what was unfinished waits at the head of the queue for the workers.</summary>
    private void Recovered()
    {
        _nextId = Math.Max(_nextId, _journal.LastId);
        var now = _options.TimeProvider.GetTimestamp();
        foreach (var task in _journal.Unfinished)
        {
            var item = new ClusterItem(new WireSubmit(task.Id, task.Handler, task.Payload, task.Options, task.Attempts), ActorRefs.Nobody)
            {
                Id = task.Id,
                Attempts = task.Attempts,
                StartTimestamp = now,
            };
            item.TryMove(ItemState.Inbox, ItemState.Queued);
            _live[task.Id] = item;
            HoldKey(item);
            if (_delayed.IsFuture(task.Options?.DueAt, out var due))
            {
                _delayed.Add(item, due); // its time is journaled with it: a failover neither skips nor repeats it
                continue;
            }

            _queue.Enqueue(item);
        }

        RecoverKeys();
        if (_durable)
        {
            _keysSettled = true; // the journal holds every key
        }
        else
        {
            Timers.StartSingleTimer(KeysSettleTimer, KeysSettleDue.Instance, KeysSettleTimeout);
        }

        foreach (var outcome in _journal.Recent)
        {
            Remember(new WireOutcome(outcome.Id, outcome.Outcome, outcome.Result, outcome.ErrorType, outcome.ErrorMessage, outcome.DurationTicks, outcome.StartedAt, outcome.Attempts, RetryWanted: false, outcome.Node));
        }

        _resumed = _live.Count;
        _recovered = _finishedRecently.Count;
        if (_live.Count > 0 || _finishedRecently.Count > 0)
        {
            _log.Info("Pool {0}: journal read back; {1} unfinished tasks run again, {2} outcomes kept", _pool, _live.Count, _finishedRecently.Count);
        }
    }

    /// <summary>Queues an entry for the next write, which follows the messages already in the mailbox: one write for all of them.</summary>
    private void JournalBehind<T>(List<T> pending, T entry)
    {
        pending.Add(entry);
        if (!_flushScheduled)
        {
            _flushScheduled = true;
            Self.Tell(FlushJournal.Instance);
        }
    }

    /// <summary>Journals the starts and outcomes since the last write, one event each; snapshots now and then.</summary>
    private void FlushOutcomes()
    {
        _flushScheduled = false;
        if (_unjournaledStarts.Count > 0)
        {
            PersistAsync(new TasksStarted([.. _unjournaledStarts]), _journal.Apply);
            _unjournaledStarts.Clear();
        }

        if (_unjournaled.Count == 0)
        {
            return;
        }

        PersistAsync(new TasksFinished([.. _unjournaled]), finished =>
        {
            _journal.Apply(finished);
            if (_journal.SnapshotDue(_options.Persistence.SnapshotEvery))
            {
                SaveSnapshot(_journal.Snapshot(_options.TimeProvider.GetUtcNow()));
            }
        });
        _unjournaled.Clear();
    }
}
