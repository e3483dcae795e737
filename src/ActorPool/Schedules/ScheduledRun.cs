using ActorPool.Named;
using ActorPool.Work;

namespace ActorPool.Schedules;

/// <summary>Hands one run of a schedule to the pool's own submit path; <c>occurrence</c> is null for a run asked for now. Completes with the task's id.</summary>
internal delegate Task<long> StartRun(ScheduleDefinition definition, DateTimeOffset? occurrence, RunEnd end);

/// <summary>Tells the schedule, once, that its run has ended: with an outcome, joined to an earlier run of its key, or refused.</summary>
/// <remarks>Signalled on the thread that records the outcome, before the pool's waiters see it, so a test that awaits <c>WaitAsync</c> finds the schedule free.</remarks>
internal sealed class RunEnd(Action ended)
{
    private Action? _ended = ended;

    public void Signal() => Interlocked.Exchange(ref _ended, null)?.Invoke();
}

/// <summary>A schedule's run of a closure.</summary>
internal sealed class ScheduledClosureItem(Func<CancellationToken, Task> work, TaskOptions? options, RunEnd end) : WorkItem(options)
{
    private Func<CancellationToken, Task>? _work = work;

    public override Task? Invoke(CancellationToken token) => _work!(token);

    public override void Recorded() => end.Signal();

    public override void CompleteAsJoiner(TaskOutcome outcome, Exception? error, object? value, string key) => end.Signal();

    public override void RefuseCaller(Exception error) => end.Signal();

    public override void Release() => _work = null;
}

/// <summary>A schedule's run of a named task.</summary>
internal sealed class ScheduledNamedItem(TaskHandler handler, byte[] payload, TaskOptions? options, IServiceProvider? services, RunEnd end)
    : NamedItem(handler, payload, options, services)
{
    /// <summary>The schedule and occurrence this run stands for, when a journal records it; null otherwise.</summary>
    public Durable.ScheduleFired? Fired { get; init; }

    public override void Recorded() => end.Signal();

    public override void CompleteAsJoiner(TaskOutcome outcome, Exception? error, object? value, string key) => end.Signal();

    public override void RefuseCaller(Exception error) => end.Signal();
}
