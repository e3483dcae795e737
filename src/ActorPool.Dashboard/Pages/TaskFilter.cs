namespace ActorPool.Dashboard.Pages;

/// <summary>Which tasks a pool page lists: finished ones (optionally of one outcome), running or queued.</summary>
internal readonly record struct TaskFilter(string Name, TaskOutcome? Outcome, bool Pending, bool Running)
{
    public static readonly TaskFilter All = new("all", null, false, false);

    /// <summary>The filters in the order the page offers them.</summary>
    public static IReadOnlyList<TaskFilter> Choices { get; } =
    [
        All,
        new("running", null, true, true),
        new("queued", null, true, false),
        .. Enum.GetValues<TaskOutcome>().Select(o => new TaskFilter(Html.Outcome(o), o, false, false)),
    ];

    /// <summary>The filter a query string names; false for a name no filter has.</summary>
    public static bool TryParse(string? value, out TaskFilter filter)
    {
        if (string.IsNullOrEmpty(value))
        {
            filter = All;
            return true;
        }

        foreach (var choice in Choices)
        {
            if (string.Equals(choice.Name, value, StringComparison.OrdinalIgnoreCase))
            {
                filter = choice;
                return true;
            }
        }

        filter = All;
        return false;
    }
}
