namespace ActorPool;

/// <summary>
/// The pool's live figures that are not outcomes (those live in <see cref="ResultStore"/>).
/// Each field has one writer: submit counts are written by submitting threads with
/// <see cref="Interlocked"/>, the gauges by the supervisor actor alone; any thread reads.
/// </summary>
internal sealed class PoolCounters
{
    private long _submitted;
    private long _rejected;
    private long _retried;
    private long _restarts;
    private long _trips;
    private int _workers;
    private int _active;
    private int _queued;
    private bool _circuitOpen;

    public long Submitted => Interlocked.Read(ref _submitted);

    public long Rejected => Interlocked.Read(ref _rejected);

    public long Retried => Interlocked.Read(ref _retried);

    public long WorkerRestarts => Interlocked.Read(ref _restarts);

    public long CircuitBreakerTrips => Interlocked.Read(ref _trips);

    public int Workers => Volatile.Read(ref _workers);

    public int ActiveWorkers => Volatile.Read(ref _active);

    public int Queued => Volatile.Read(ref _queued);

    public bool CircuitOpen => Volatile.Read(ref _circuitOpen);

    /// <summary>Publishes the breaker's state; called by the supervisor only.</summary>
    public void PublishCircuit(bool open) => Volatile.Write(ref _circuitOpen, open);

    public void CountSubmitted() => Interlocked.Increment(ref _submitted);

    public void CountRejected() => Interlocked.Increment(ref _rejected);

    public void CountRetried() => Interlocked.Increment(ref _retried);

    public void CountRestart() => Interlocked.Increment(ref _restarts);

    public void CountTrip() => Interlocked.Increment(ref _trips);

    /// <summary>Publishes the supervisor's gauges; called by the supervisor only.</summary>
    public void Publish(int workers, int active, int queued)
    {
        Volatile.Write(ref _workers, workers);
        Volatile.Write(ref _active, active);
        Volatile.Write(ref _queued, queued);
    }
}
