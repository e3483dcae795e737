namespace ActorPool.Admission;

/// <summary>
/// Marks code running inside one of a pool's tasks, so that a submit made from there can be told
/// apart from one made outside. The mark flows with the task's async continuations.
/// </summary>
internal static class InsidePool
{
    private static readonly AsyncLocal<object?> Current = new();

    /// <summary>Whether the calling code runs inside a task of the pool marked by <paramref name="pool"/>.</summary>
    public static bool Is(object pool) => ReferenceEquals(Current.Value, pool);

    /// <summary>Marks the task about to be invoked; returns the mark to restore.</summary>
    public static object? Enter(object pool)
    {
        var outer = Current.Value;
        Current.Value = pool;
        return outer;
    }

    public static void Exit(object? outer) => Current.Value = outer;
}
