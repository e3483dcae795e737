namespace ActorPool.Outcomes;

/// <summary>
/// What the result store, the meter and a journal read from a task with its one outcome: a
/// task this process settled, or an outcome read back from a journal, which is no task at all.
/// </summary>
internal interface IRecordedOutcome
{
    long Id { get; }

    /// <summary>The caller-chosen key of <see cref="TaskOptions.Id"/>, or null.</summary>
    string? Key { get; }

    /// <summary>The node it ran on, for a clustered pool's task; else null.</summary>
    string? Node { get; }

    TaskOutcome Outcome { get; }

    /// <summary>The exception behind the outcome; null on success.</summary>
    Exception? Error { get; }

    /// <summary>Whether the outcome ends a run, so it has a run time.</summary>
    bool Ran { get; }

    int Attempts { get; }

    /// <summary>When its last run started (or it was settled, when it never ran), on the pool's clock.</summary>
    long StartTimestamp { get; }

    /// <summary>When its last run ended, on the pool's clock.</summary>
    long EndTimestamp { get; }

    /// <summary>How long it waited from acceptance to its first start, in seconds; 0 when it never started.</summary>
    float QueueWaitSeconds { get; }

    /// <summary>The handler's name, for a named task; else null.</summary>
    string? HandlerName { get; }

    /// <summary>The payload as JSON, for a named task; else null.</summary>
    byte[]? PayloadJson { get; }

    /// <summary>The options it was submitted with, kept so that it can be retried.</summary>
    TaskOptions? Options { get; }

    /// <summary>The id of the task it retries, or 0.</summary>
    long RetryOf { get; }
}
