namespace ActorPool.Cli.Download;

/// <summary>One download worker's current file, as the dashboard shows it.</summary>
internal sealed class WorkerSlot(int index)
{
    private long _bytes;

    /// <summary>0-based worker number.</summary>
    public int Index { get; } = index;

    /// <summary>The file being fetched, or null when idle.</summary>
    public volatile string? Name;

    /// <summary>The file's full length when known (the body length, plus the resumed bytes), else -1.</summary>
    public long Length = -1;

    /// <summary>When the current file began (<see cref="TimeProvider"/> timestamp).</summary>
    public long StartedAt;

    /// <summary>Bytes of the current file on disk so far, resumed bytes included.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    internal void Reset(string? name, long startedAt, long bytes = 0)
    {
        Interlocked.Exchange(ref _bytes, bytes);
        Volatile.Write(ref Length, -1);
        Volatile.Write(ref StartedAt, startedAt);
        Name = name;
    }

    internal void Add(long bytes) => Interlocked.Add(ref _bytes, bytes);
}

/// <summary>
/// Live figures of a download run, written by the stages and read by the dashboard, the summary
/// and the report. Counters, plus the entries that did not succeed (bounded) for the results
/// table, never the whole list of files, so memory does not grow with the URL list.
/// </summary>
internal sealed class DownloadProgress
{
    /// <summary>The results table shows at most this many problems; the JSON report has them all.</summary>
    public const int MaxProblemsKept = 200;

    private readonly Lock _slotsGate = new();
    private readonly Lock _problemsGate = new();
    private readonly WorkerSlot[] _slots;
    private readonly bool[] _busy;
    private readonly Action<string> _lines;
    private readonly Action<string> _notices;
    private readonly long[] _outcomes = new long[Enum.GetValues<FileOutcome>().Length];
    private readonly List<FileReport> _problems = [];
    private long _problemCount;
    private long _inFlightDone;
    private long _linesRead;
    private int _lastLineRead;
    private long _waiting;
    private long _totalBytes;
    private long _savedBytes;
    private long _firstRequestAt;
    private long _lastByteAt;
    private int _shuttingDown;
    private int _completed;

    /// <summary>Creates the figures for <paramref name="workers"/> download workers and <paramref name="totalEntries"/> lines.</summary>
    /// <param name="workers">Download workers, one slot each.</param>
    /// <param name="totalEntries">Entries in the URL file.</param>
    /// <param name="lines">Where per-file result lines go (stdout, or the dashboard's event list); must be thread-safe.</param>
    /// <param name="time">The clock for durations and speeds.</param>
    /// <param name="notices">Where notices go (stderr, or the dashboard's event list); defaults to <paramref name="lines"/>.</param>
    public DownloadProgress(int workers, int totalEntries, Action<string> lines, TimeProvider? time = null, Action<string>? notices = null)
    {
        _slots = [.. Enumerable.Range(0, workers).Select(i => new WorkerSlot(i))];
        _busy = new bool[workers];
        TotalEntries = totalEntries;
        _lines = lines;
        _notices = notices ?? lines;
        Time = time ?? TimeProvider.System;
    }

    /// <summary>Called with every entry's report as it ends (the JSON report listens here).</summary>
    public event Action<FileReport>? Recorded;

    /// <summary>The clock for durations and speeds.</summary>
    public TimeProvider Time { get; }

    /// <summary>Entries in the URL file.</summary>
    public int TotalEntries { get; }

    /// <summary>The download workers' slots.</summary>
    public IReadOnlyList<WorkerSlot> Slots => _slots;

    /// <summary>True after the first shutdown signal: queued files are dropped, running ones finish.</summary>
    public bool ShuttingDown => Volatile.Read(ref _shuttingDown) == 1;

    /// <summary>True once every read entry has been recorded: the live view shows its final frame.</summary>
    public bool Completed => Volatile.Read(ref _completed) == 1;

    /// <summary>Lines the source has read: how far the pipeline has pulled (backpressure keeps it close to the workers).</summary>
    public long LinesRead => Interlocked.Read(ref _linesRead);

    /// <summary>The line number of the last entry read; entries after it were never read.</summary>
    public int LastLineRead => Volatile.Read(ref _lastLineRead);

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

    /// <summary>Bytes received from the network by all workers (failed and retried ones included).</summary>
    public long TotalBytes => Interlocked.Read(ref _totalBytes);

    /// <summary>Bytes of the files saved under their final names in this run.</summary>
    public long SavedBytes => Interlocked.Read(ref _savedBytes);

    /// <summary>Files that ended with <paramref name="outcome"/>.</summary>
    public long Count(FileOutcome outcome) => Interlocked.Read(ref _outcomes[(int)outcome]);

    /// <summary>Files that succeeded after the shutdown signal (they were in flight when it came).</summary>
    public long InFlightDone => Interlocked.Read(ref _inFlightDone);

    /// <summary>Files finished, whatever the outcome.</summary>
    public long Finished => Enum.GetValues<FileOutcome>().Sum(Count);

    /// <summary>Entries that neither were saved nor skipped, counted in full even past <see cref="MaxProblemsKept"/>.</summary>
    public long ProblemCount => Interlocked.Read(ref _problemCount);

    /// <summary>The first <see cref="MaxProblemsKept"/> entries that were neither saved nor skipped, in the order they ended.</summary>
    public IReadOnlyList<FileReport> Problems
    {
        get
        {
            lock (_problemsGate)
            {
                return [.. _problems];
            }
        }
    }

    /// <summary>From the first request to the last byte (to now while bytes still flow): the basis of the average speed.</summary>
    /// <remarks>
    /// Measured from the first request, not the first byte: a first chunk that arrives a moment
    /// after the clock starts would otherwise give an average far above the peak and the limit.
    /// </remarks>
    public TimeSpan TransferTime
    {
        get
        {
            var first = Interlocked.Read(ref _firstRequestAt);
            if (first == 0)
            {
                return TimeSpan.Zero;
            }

            var end = Completed ? Interlocked.Read(ref _lastByteAt) : Time.GetTimestamp();
            return end > first ? Time.GetElapsedTime(first, end) : TimeSpan.Zero;
        }
    }

    /// <summary>Bytes received per second of <see cref="TransferTime"/>.</summary>
    public double AverageBytesPerSecond => TransferTime is { TotalSeconds: > 0 } t ? TotalBytes / t.TotalSeconds : 0;

    /// <summary>Marks the run as shutting down; true only for the first call.</summary>
    public bool BeginShutdown() => Interlocked.Exchange(ref _shuttingDown, 1) == 0;

    /// <summary>Marks every read entry as recorded.</summary>
    public void Complete() => Volatile.Write(ref _completed, 1);

    /// <summary>Writes one result line (stdout, or the dashboard's events).</summary>
    public void Say(string line) => _lines(line);

    /// <summary>Writes one notice: a retry, a throttle, a shutdown step (stderr, or the dashboard's events).</summary>
    public void Notice(string line) => _notices(line);

    internal void LineRead(int lineNumber)
    {
        Interlocked.Increment(ref _linesRead);
        Volatile.Write(ref _lastLineRead, lineNumber);
    }

    internal void Enqueued() => Interlocked.Increment(ref _waiting);

    internal void Dequeued() => Interlocked.Decrement(ref _waiting);

    /// <summary>A request is about to be sent; the first one starts the transfer clock.</summary>
    internal void RequestStarted()
    {
        var now = Time.GetTimestamp();
        Interlocked.CompareExchange(ref _firstRequestAt, now, 0);
        Interlocked.CompareExchange(ref _lastByteAt, now, 0);
    }

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
            _slots[index].Reset(name, Time.GetTimestamp());
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
        Interlocked.Exchange(ref _lastByteAt, Time.GetTimestamp());
        Interlocked.Add(ref _totalBytes, bytes);
    }

    /// <summary>Counts a finished job, prints its line and hands its report on.</summary>
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

        var duration = job.Started ? Time.GetElapsedTime(job.StartedAt, job.EndedAt != 0 ? job.EndedAt : Time.GetTimestamp()) : TimeSpan.Zero;
        var report = new FileReport(
            job.Line.LineNumber,
            job.Name,
            job.Request?.Url.ToString() ?? job.Line.Text,
            job.FinalPath,
            outcome,
            job.Bytes,
            duration,
            job.Attempts,
            job.Sha256,
            job.Detail,
            duringShutdown);
        if (outcome is not (FileOutcome.Succeeded or FileOutcome.Skipped))
        {
            Interlocked.Increment(ref _problemCount);
            lock (_problemsGate)
            {
                if (_problems.Count < MaxProblemsKept)
                {
                    _problems.Add(report);
                }
            }
        }

        if (DownloadFormat.FileLine(report) is { } line)
        {
            Say(line);
        }

        Recorded?.Invoke(report);
        return report;
    }
}
