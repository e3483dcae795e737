using Akka.Actor;

namespace ActorPool;

/// <summary>
/// Marks code running inside one of a pool's tasks, so that a submit made from there can be told
/// apart from one made outside. The mark flows with the task's async continuations.
/// </summary>
internal static class InsidePool
{
    private static readonly AsyncLocal<IActorRef?> Current = new();

    /// <summary>Whether the calling code runs inside a task of the pool with this supervisor.</summary>
    public static bool Is(IActorRef supervisor) => ReferenceEquals(Current.Value, supervisor);

    /// <summary>Marks the task about to be invoked; returns the mark to restore.</summary>
    public static IActorRef? Enter(IActorRef supervisor)
    {
        var outer = Current.Value;
        Current.Value = supervisor;
        return outer;
    }

    public static void Exit(IActorRef? outer) => Current.Value = outer;
}
