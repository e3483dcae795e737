namespace ActorPool.Tests.Reliability;

/// <summary>Task options every submit path must refuse, each with the property its exception must name.</summary>
public static class BadTaskOptions
{
    public static TheoryData<string> Cases => [.. Build.Keys];

    /// <summary>Case name → the options and the <see cref="ArgumentException.ParamName"/> expected.</summary>
    public static readonly IReadOnlyDictionary<string, (TaskOptions Options, string ParamName)> Build = new Dictionary<string, (TaskOptions, string)>
    {
        // -1 ms is Timeout.InfiniteTimeSpan, which means no limit: use a clearly negative value.
        ["negative QueueTimeout"] = (new TaskOptions { QueueTimeout = TimeSpan.FromSeconds(-5) }, nameof(TaskOptions.QueueTimeout)),
        ["zero QueueTimeout"] = (new TaskOptions { QueueTimeout = TimeSpan.Zero }, nameof(TaskOptions.QueueTimeout)),
        ["negative Timeout"] = (new TaskOptions { Timeout = TimeSpan.FromSeconds(-5) }, nameof(TaskOptions.Timeout)),
        ["zero Timeout"] = (new TaskOptions { Timeout = TimeSpan.Zero }, nameof(TaskOptions.Timeout)),
        ["zero MaxAttempts"] = (new TaskOptions { MaxAttempts = 0 }, nameof(TaskOptions.MaxAttempts)),
        ["negative MaxAttempts"] = (new TaskOptions { MaxAttempts = -1 }, nameof(TaskOptions.MaxAttempts)),
    };
}
