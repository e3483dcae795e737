namespace ActorPool;

/// <summary>
/// The pool's live figures that are neither admissions (see <c>AdmissionGate</c>) nor outcomes
/// (see <c>ResultStore</c>). The gauges have one writer, the supervisor actor; the counters are
/// written with <see cref="Interlocked"/>; any thread reads.
/// </summary>
internal sealed class PoolCounters
{
    private long _retried;
    private long _restarts;
    private long _trips;
    private int _workers;
    private int _target;
    private int _active;
    private int _queued;
    private int _waitingForKey;
    private int _delayed;
    private bool _circuitOpen;

    public PoolCounters(int targetWorkers) => _target = targetWorkers;

    public long Retried => Interlocked.Read(ref _retried);

    public long WorkerRestarts => Interlocked.Read(ref _restarts);

    public long CircuitBreakerTrips => Interlocked.Read(ref _trips);

    /// <summary>Live workers.</summary>
    public int Workers => Volatile.Read(ref _workers);

    /// <summary>Workers wanted: what the pool has or is resizing to.</summary>
    public int TargetWorkers => Volatile.Read(ref _target);

    public int ActiveWorkers => Volatile.Read(ref _active);

    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Waiting tasks whose concurrency key is at its limit (counted in <see cref="Queued"/> too).</summary>
    public int WaitingForKey => Volatile.Read(ref _waitingForKey);

    public bool CircuitOpen => Volatile.Read(ref _circuitOpen);

    /// <summary>Accepted tasks waiting for their time (not counted in <see cref="Queued"/>).</summary>
    public int Delayed => Volatile.Read(ref _delayed);

    public void CountRetried() => Interlocked.Increment(ref _retried);

    public void CountRestart() => Interlocked.Increment(ref _restarts);

    public void CountTrip() => Interlocked.Increment(ref _trips);

    /// <summary>Publishes the supervisor's gauges; called by the supervisor only.</summary>
    public void Publish(int workers, int target, int active, int queued, bool circuitOpen, int waitingForKey, int delayed)
    {
        Volatile.Write(ref _delayed, delayed);
        Volatile.Write(ref _waitingForKey, waitingForKey);
        Volatile.Write(ref _workers, workers);
        Volatile.Write(ref _target, target);
        Volatile.Write(ref _active, active);
        Volatile.Write(ref _queued, queued);
        Volatile.Write(ref _circuitOpen, circuitOpen);
    }

    /// <summary>A resize asked for by the caller shows at once, before the supervisor acts on it.</summary>
    public void PublishTarget(int target) => Volatile.Write(ref _target, target);
}
