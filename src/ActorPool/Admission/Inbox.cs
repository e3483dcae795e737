using System.Collections.Concurrent;
using ActorPool.Messages;
using ActorPool.Work;
using Akka.Actor;

namespace ActorPool.Admission;

/// <summary>
/// Accepted tasks on their way to the supervisor. Submitters from any thread add to it; the
/// supervisor takes everything in whenever it is told to, so a burst of submits costs one
/// message to the supervisor rather than one each.
/// </summary>
/// <remarks>
/// The supervisor is told only when the inbox goes from quiet to holding work. It re-arms the
/// signal before it drains (with a full fence), so an item added while it drains either is taken
/// in by that drain or sends a new signal.
/// </remarks>
internal sealed class Inbox
{
    private readonly ConcurrentQueue<WorkItem> _items = new();

    /// <summary>1 while a <see cref="DrainInbox"/> is on its way and not yet handled.</summary>
    private int _signalled;

    /// <summary>The supervisor to tell; set once, right after it is created and before any submit.</summary>
    public IActorRef Supervisor { get; set; } = ActorRefs.Nobody;

    public void Post(WorkItem item)
    {
        _items.Enqueue(item);
        Signal();
    }

    public void PostMany(ReadOnlySpan<WorkItem> items)
    {
        foreach (var item in items)
        {
            _items.Enqueue(item);
        }

        Signal();
    }

    /// <summary>Supervisor side: called before draining, so later posts signal again.</summary>
    public void Rearm() => Interlocked.Exchange(ref _signalled, 0);

    /// <summary>Supervisor side: takes the next item.</summary>
    public bool TryTake(out WorkItem item) => _items.TryDequeue(out item!);

    private void Signal()
    {
        if (Volatile.Read(ref _signalled) == 0 && Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            Supervisor.Tell(DrainInbox.Instance, ActorRefs.NoSender);
        }
    }
}
