using System.Diagnostics;

namespace ActorPool.Actors;

/// <summary>
/// Fires run deadlines on a thread of its own, one per process. A
/// <see cref="System.Threading.Timer"/> hands its callbacks to the .NET thread pool, which tasks
/// that block their threads can starve for a second or more; a deadline has to hold exactly when
/// they do, so it does not go through that pool. Firing only records the outcome and cancels a
/// token asynchronously, so nothing slow runs here.
/// </summary>
internal sealed class DeadlineThread
{
    /// <summary>The process's deadline thread, started with the first deadline.</summary>
    public static readonly DeadlineThread Shared = new();

    /// <summary>Guards the heap; also the monitor the thread waits on.</summary>
    private readonly object _heapLock = new();

    private PriorityQueue<TaskDeadline, long> _heap = new();

    /// <summary>Deadlines still armed; the heap may also hold disarmed ones until they come due or are compacted away.</summary>
    private int _armed;
    private Thread? _thread;

    /// <summary>Arms <paramref name="deadline"/> to fire after <paramref name="timeout"/>.</summary>
    public void Add(TaskDeadline deadline, TimeSpan timeout)
    {
        var due = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        lock (_heapLock)
        {
            _heap.Enqueue(deadline, due);
            _armed++;
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "actorpool-deadlines" };
                _thread.Start();
            }

            if (_heap.TryPeek(out var first, out _) && ReferenceEquals(first, deadline))
            {
                Monitor.Pulse(_heapLock); // earlier than what the thread waits for
            }
        }
    }

    /// <summary>A deadline was disarmed, by its task ending or by firing; a stale entry is dropped lazily.</summary>
    public void Disarmed()
    {
        lock (_heapLock)
        {
            _armed--;
            if (_heap.Count > (2 * _armed) + 256)
            {
                var live = _heap.UnorderedItems.Where(static e => e.Element.IsArmed).ToList();
                _heap = new PriorityQueue<TaskDeadline, long>(live);
            }
        }
    }

    private void Run()
    {
        var due = new List<TaskDeadline>();
        while (true)
        {
            lock (_heapLock)
            {
                while (due.Count == 0)
                {
                    if (!_heap.TryPeek(out _, out var next))
                    {
                        Monitor.Wait(_heapLock);
                        continue;
                    }

                    var wait = next - Stopwatch.GetTimestamp();
                    if (wait > 0)
                    {
                        Monitor.Wait(_heapLock, TimeSpan.FromSeconds(Math.Min((double)wait / Stopwatch.Frequency, int.MaxValue / 1000.0)));
                        continue;
                    }

                    while (_heap.TryPeek(out var deadline, out var at) && at <= Stopwatch.GetTimestamp())
                    {
                        _heap.Dequeue();
                        if (deadline.IsArmed)
                        {
                            due.Add(deadline); // it counts itself disarmed when it fires
                        }
                    }
                }
            }

            foreach (var deadline in due)
            {
                deadline.Fire();
            }

            due.Clear();
        }
    }
}
