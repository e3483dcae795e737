namespace ActorPool.Outcomes;

/// <summary>
/// Counts of recorded outcomes and run times. Each worker keeps one of its own and is its only
/// writer, so recording costs no contended instruction; everyone else (the supervisor, deadlines)
/// shares one written with <see cref="Interlocked"/>. Readers add them up.
/// </summary>
internal sealed class OutcomeTally
{
    private const int Ran = 5;
    private const int RanTicks = 6;

    private readonly long[] _counts = new long[7];

    /// <summary>Counts one outcome; only the tally's single writer may call it.</summary>
    public void Add(TaskOutcome outcome, bool ran, long ranTicks)
    {
        Volatile.Write(ref _counts[(int)outcome], _counts[(int)outcome] + 1);
        if (ran)
        {
            Volatile.Write(ref _counts[Ran], _counts[Ran] + 1);
            Volatile.Write(ref _counts[RanTicks], _counts[RanTicks] + ranTicks);
        }
    }

    /// <summary>Counts one outcome from any thread.</summary>
    public void AddShared(TaskOutcome outcome, bool ran, long ranTicks)
    {
        Interlocked.Increment(ref _counts[(int)outcome]);
        if (ran)
        {
            Interlocked.Increment(ref _counts[Ran]);
            Interlocked.Add(ref _counts[RanTicks], ranTicks);
        }
    }

    public long Count(TaskOutcome outcome) => Volatile.Read(ref _counts[(int)outcome]);

    public long Runs => Volatile.Read(ref _counts[Ran]);

    public long RunTicks => Volatile.Read(ref _counts[RanTicks]);

    /// <summary>Adds this tally's counts into <paramref name="shared"/> (a worker that leaves hands its counts over).</summary>
    public void FoldInto(OutcomeTally shared)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            Interlocked.Add(ref shared._counts[i], Volatile.Read(ref _counts[i]));
        }
    }
}
