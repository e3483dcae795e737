using ActorPool.Durable;
using ActorPool.Work;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Cluster;

// The clustered supervisor's journal (durable mode): reading it back on the node that takes the
// singleton over, and writing outcomes behind.
internal sealed partial class ClusterSupervisorActor
{
    private void Restore(JournalSnapshot snapshot)
    {
        _nextId = Math.Max(_nextId, snapshot.LastId);
        Restore(snapshot.Unfinished);
        Restore(snapshot.Recent);
    }

    private void Restore(DurableTask[] tasks)
    {
        foreach (var task in tasks)
        {
            _nextId = Math.Max(_nextId, task.Id);
            var item = new ClusterItem(new WireSubmit(task.Id, task.Handler, task.Payload, task.Options, task.Attempts), ActorRefs.Nobody)
            {
                Id = task.Id,
                Attempts = task.Attempts,
            };
            item.TryMove(ItemState.Inbox, ItemState.Queued);
            _live[task.Id] = item;
        }
    }

    private void Restore(DurableOutcome[] outcomes)
    {
        foreach (var outcome in outcomes)
        {
            _live.Remove(outcome.Id);
            Remember(new WireOutcome(outcome.Id, outcome.Outcome, outcome.Result, outcome.ErrorType, outcome.ErrorMessage, outcome.DurationTicks, outcome.StartedAt, outcome.Attempts, RetryWanted: false, outcome.Node));
        }
    }

    /// <summary>The journal is read back: what was unfinished waits at the head of the queue for the workers.</summary>
    private void Recovered()
    {
        var now = _options.TimeProvider.GetTimestamp();
        foreach (var item in _live.Values.OrderBy(i => i.Id))
        {
            item.StartTimestamp = now;
            _queue.Enqueue(item);
        }

        _resumed = _live.Count;
        _recovered = _finishedRecently.Count;
        if (_live.Count > 0 || _finishedRecently.Count > 0)
        {
            _log.Info("Pool {0}: journal read back; {1} unfinished tasks run again, {2} outcomes kept", _pool, _live.Count, _finishedRecently.Count);
        }
    }

    /// <summary>Journals the outcomes settled since the last write, in one event; snapshots now and then.</summary>
    private void FlushOutcomes()
    {
        _flushScheduled = false;
        if (_unjournaled.Count == 0)
        {
            return;
        }

        PersistAsync(new TasksFinished([.. _unjournaled]), finished =>
        {
            _finishedSinceSnapshot += finished.Outcomes.Length;
            if (_finishedSinceSnapshot >= _options.Persistence.SnapshotEvery)
            {
                _finishedSinceSnapshot = 0;
                var unfinished = _live.Values.Select(i => new DurableTask(i.Id, i.Handler, i.Payload, i.Settings, i.Attempts)).ToArray();
                var recent = _finishedRecently.Values.Select(o => new DurableOutcome(o.Id, null, o.Outcome, o.ErrorType, o.ErrorMessage, o.DurationTicks, o.StartedAt, o.Attempts, o.Result, o.Node)).ToArray();
                SaveSnapshot(new JournalSnapshot(_nextId, unfinished, recent));
            }
        });
        _unjournaled.Clear();
    }
}
