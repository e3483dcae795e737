using System.Globalization;
using ActorPool.Configuration;
using ActorPool.Messages;
using ActorPool.Work;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;

namespace ActorPool.Engines;

/// <summary>
/// What runs behind a <see cref="WorkerPool"/>: in one process (<see cref="LocalEngine"/>) or
/// across a cluster (<see cref="ClusterEngine"/>). The pool checks arguments and makes the task's
/// one <see cref="WorkItem"/>; the engine admits it, runs it and records its outcome.
/// </summary>
internal abstract class PoolEngine
{
    private const string OwnSystemName = "actor-pool";

    public abstract int Workers { get; }

    /// <summary>Whether a task's <see cref="TaskOptions.Delay"/> becomes a time at its submit: its task is journaled or sent to another node.</summary>
    public virtual bool FixesDelayAtSubmit => false;

    /// <summary>The actor that answers for the pool on this node, for tests.</summary>
    public abstract IActorRef Supervisor { get; }

    public abstract ActorSystem? System { get; }

    /// <summary>Why a named task (its JSON payload and its <see cref="TaskOptions.Id"/>) is too large for this engine to carry, or null when it fits.</summary>
    public virtual (string Message, bool IdTooLarge)? TooLargeToSend(string handler, byte[] payload, string? id) => null;

    public abstract void Start(CancellationToken cancellationToken);

    /// <summary>Where the pool's schedules are journaled; null when they live in memory only.</summary>
    public virtual Schedules.IScheduleJournal? ScheduleJournal => null;

    /// <summary>For a clustered pool: whether this node drives the schedules (it holds their singleton); null when every pool drives its own.</summary>
    public virtual Schedules.ScheduleDriving? ScheduleDriving => null;

    /// <summary>Whether the pool still takes submits: false once its stop or its system's shutdown began.</summary>
    public abstract bool Accepting { get; }

    /// <summary>Admits a task, waiting for queue room when the policy says so; completes with its id.</summary>
    public abstract Task<long> Submit(WorkItem item, CancellationToken cancellationToken);

    /// <summary>
    /// Admits a task whose caller awaits the task's own completion rather than its id: null when it
    /// was accepted at once (no task allocated on that path), else what decides its acceptance.
    /// </summary>
    public virtual Task? SubmitRun(WorkItem item, CancellationToken cancellationToken) => Submit(item, cancellationToken);

    /// <summary>Admits a task only if it can be now.</summary>
    public abstract bool TrySubmit(WorkItem item);

    /// <summary>Admits <paramref name="total"/> tasks in batches; <paramref name="itemAt"/> makes each.</summary>
    public abstract Task<IReadOnlyList<long>> SubmitMany(int total, Func<int, WorkItem> itemAt, CancellationToken cancellationToken);

    public abstract Task StopAsync(CancellationToken cancellationToken);

    public abstract Task WaitAsync(CancellationToken cancellationToken);

    public abstract void Resize(int workers);

    public abstract PoolStats GetStats();

    public abstract IReadOnlyDictionary<long, TaskResult> GetResults();

    /// <summary>Cancels a waiting or running task by id; false when none with that id waits or runs.</summary>
    public abstract Task<bool> CancelAsync(long id, CancellationToken cancellationToken);

    /// <summary>The retained result of one task and its options; null when none is retained.</summary>
    public abstract (TaskResult Result, TaskOptions? Options)? FindResult(long id);

    /// <summary>One page of the retained results, newest first.</summary>
    public abstract Diagnostics.ResultPage PageResults(TaskOutcome? outcome, int skip, int take);

    /// <summary>The node whose supervisor decides, for a clustered pool.</summary>
    public virtual string? SupervisorNode => null;

    /// <summary>Tasks that wait or run now, running ones first.</summary>
    public abstract Task<IReadOnlyList<Diagnostics.PendingTask>> GetPendingAsync(int max, CancellationToken cancellationToken);

    /// <summary>The supervisor's live figures, for tests.</summary>
    public abstract Task<PoolState> GetStateAsync();

    /// <summary>
    /// The actor system of a pool created without one: quiet logs, no CLR shutdown hook and no
    /// CoordinatedShutdown run at termination (the pool's stop drains, then terminates it at once),
    /// and a drain phase with room beyond the shutdown timeout.
    /// </summary>
    /// <param name="options">The pool's settings.</param>
    /// <param name="fallback">Configuration the engine needs besides the pool's reference (a journal's plugins), or null.</param>
    protected static ActorSystem CreateOwnSystem(WorkerPoolOptions options, Config? fallback = null)
    {
        var phaseTimeout = OptionLimits.Cap(options.ShutdownTimeout) + TimeSpan.FromSeconds(5);
        var config = ConfigurationFactory.ParseString(string.Create(CultureInfo.InvariantCulture, $$"""
            akka {
              loglevel = WARNING
              stdout-loglevel = WARNING
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              coordinated-shutdown {
                run-by-clr-shutdown-hook = off
                # The pool's stop drains first and then terminates: the phases have nothing left to do.
                run-by-actor-system-terminate = off
                phases.service-requests-done.timeout = {{(long)phaseTimeout.TotalMilliseconds}}ms
              }
            }
            """));
        if (fallback is not null)
        {
            config = config.WithFallback(fallback);
        }

        return ActorSystem.Create(OwnSystemName, config.WithFallback(WorkerPoolSettings.ParseReference()));
    }

    /// <summary>Warns when the system's drain phase would cut the pool's graceful stop short.</summary>
    protected static void WarnIfDrainPhaseIsShort(ActorSystem system, WorkerPoolOptions options, string name)
    {
        var phaseTimeout = CoordinatedShutdown.Get(system).Timeout(CoordinatedShutdown.PhaseServiceRequestsDone);
        if (phaseTimeout < options.ShutdownTimeout)
        {
            system.Log.Warning(
                "Pool {0}: akka.coordinated-shutdown.phases.service-requests-done.timeout ({1}) is shorter than its shutdown-timeout ({2}); a system shutdown may cut its drain short",
                name,
                phaseTimeout,
                options.ShutdownTimeout);
        }
    }
}
