using System.Diagnostics;

namespace ActorPool.Cli.Download;

/// <summary>One download worker's current file, as the dashboard shows it.</summary>
internal sealed class WorkerSlot(int index)
{
    private long _bytes;

    /// <summary>0-based worker number.</summary>
    public int Index { get; } = index;

    /// <summary>The file being fetched, or null when idle.</summary>
    public volatile string? Name;

    /// <summary>The body length when the server sent one, else -1.</summary>
    public long Length = -1;

    /// <summary>When the current file began (Stopwatch ticks).</summary>
    public long StartedAt;

    /// <summary>Bytes of the current file written so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    internal void Reset(string? name)
    {
        Interlocked.Exchange(ref _bytes, 0);
        Volatile.Write(ref Length, -1);
        Volatile.Write(ref StartedAt, Stopwatch.GetTimestamp());
        Name = name;
    }

    internal void Add(long bytes) => Interlocked.Add(ref _bytes, bytes);
}

/// <summary>
/// Live figures of a download run, written by the stages and read by the dashboard and the
/// summary. Counters only, never the list of files, so memory does not grow with the URL list.
/// </summary>
internal sealed class DownloadProgress
{
    private readonly Lock _slotsGate = new();
    private readonly WorkerSlot[] _slots;
    private readonly bool[] _busy;
    private readonly Action<string> _lines;
    private readonly long[] _outcomes = new long[Enum.GetValues<FileOutcome>().Length];
    private long _inFlightDone;
    private long _linesRead;
    private long _waiting;
    private long _totalBytes;
    private long _savedBytes;
    private long _firstByteAt;
    private long _lastByteAt;
    private int _shuttingDown;

    /// <summary>Creates the figures for <paramref name="workers"/> download workers and <paramref name="totalEntries"/> lines.</summary>
    /// <param name="workers">Download workers, one slot each.</param>
    /// <param name="totalEntries">Entries in the URL file.</param>
    /// <param name="lines">Where per-file lines go (stdout, or the dashboard's event list); must be thread-safe.</param>
    public DownloadProgress(int workers, int totalEntries, Action<string> lines)
    {
        _slots = [.. Enumerable.Range(0, workers).Select(i => new WorkerSlot(i))];
        _busy = new bool[workers];
        TotalEntries = totalEntries;
        _lines = lines;
    }

    /// <summary>Entries in the URL file.</summary>
    public int TotalEntries { get; }

    /// <summary>The download workers' slots.</summary>
    public IReadOnlyList<WorkerSlot> Slots => _slots;

    /// <summary>True after the first shutdown signal: queued files are dropped, running ones finish.</summary>
    public bool ShuttingDown => Volatile.Read(ref _shuttingDown) == 1;

    /// <summary>Lines the source has read: how far the pipeline has pulled (backpressure keeps it close to the workers).</summary>
    public long LinesRead => Interlocked.Read(ref _linesRead);

    /// <summary>Files validated and waiting for a download worker.</summary>
    public long Waiting => Interlocked.Read(ref _waiting);

    /// <summary>Download workers busy now.</summary>
    public int Active
    {
        get
        {
            lock (_slotsGate)
            {
                return _busy.Count(b => b);
            }
        }
    }

    /// <summary>Bytes written to disk by all workers.</summary>
    public long TotalBytes => Interlocked.Read(ref _totalBytes);

    /// <summary>Bytes of the files saved under their final names.</summary>
    public long SavedBytes => Interlocked.Read(ref _savedBytes);

    /// <summary>Files that ended with <paramref name="outcome"/>.</summary>
    public long Count(FileOutcome outcome) => Interlocked.Read(ref _outcomes[(int)outcome]);

    /// <summary>Files that succeeded after the shutdown signal (they were in flight when it came).</summary>
    public long InFlightDone => Interlocked.Read(ref _inFlightDone);

    /// <summary>Files finished, whatever the outcome.</summary>
    public long Finished => Enum.GetValues<FileOutcome>().Sum(Count);

    /// <summary>Seconds from the first byte to the last; the basis of the average speed.</summary>
    public TimeSpan TransferTime
    {
        get
        {
            var first = Interlocked.Read(ref _firstByteAt);
            return first == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(first, Interlocked.Read(ref _lastByteAt));
        }
    }

    /// <summary>Marks the run as shutting down; true only for the first call.</summary>
    public bool BeginShutdown() => Interlocked.Exchange(ref _shuttingDown, 1) == 0;

    /// <summary>Writes one line to the output.</summary>
    public void Say(string line) => _lines(line);

    internal void LineRead() => Interlocked.Increment(ref _linesRead);

    internal void Enqueued() => Interlocked.Increment(ref _waiting);

    internal void Dequeued() => Interlocked.Decrement(ref _waiting);

    /// <summary>Takes the lowest free worker slot; there is one per pool worker, so one is always free.</summary>
    internal WorkerSlot Occupy(string name)
    {
        lock (_slotsGate)
        {
            var index = Array.IndexOf(_busy, false);
            if (index < 0)
            {
                throw new InvalidOperationException("more downloads run than there are workers");
            }

            _busy[index] = true;
            _slots[index].Reset(name);
            return _slots[index];
        }
    }

    internal void Free(WorkerSlot slot)
    {
        lock (_slotsGate)
        {
            slot.Name = null;
            _busy[slot.Index] = false;
        }
    }

    internal void Transferred(WorkerSlot slot, int bytes)
    {
        slot.Add(bytes);
        var now = Stopwatch.GetTimestamp();
        Interlocked.CompareExchange(ref _firstByteAt, now, 0);
        Interlocked.Exchange(ref _lastByteAt, now);
        Interlocked.Add(ref _totalBytes, bytes);
    }

    /// <summary>Counts a finished job and prints its line.</summary>
    internal FileReport Record(DownloadJob job)
    {
        var outcome = job.Outcome ?? FileOutcome.Succeeded;
        var duringShutdown = ShuttingDown;
        Interlocked.Increment(ref _outcomes[(int)outcome]);
        if (outcome == FileOutcome.Succeeded)
        {
            Interlocked.Add(ref _savedBytes, job.Bytes);
            if (duringShutdown)
            {
                Interlocked.Increment(ref _inFlightDone);
            }
        }

        var report = new FileReport(job.Line.LineNumber, job.Name, outcome, job.Bytes, job.Elapsed, job.Attempts, job.Detail, duringShutdown);
        if (DownloadFormat.FileLine(report) is { } line)
        {
            Say(line);
        }

        return report;
    }
}
