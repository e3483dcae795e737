using System.Diagnostics.CodeAnalysis;
using ActorPool.Named;
using ActorPool.Work;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Cluster;

/// <summary>
/// One worker of a clustered pool, deployed onto a node by the supervisor's cluster router. It
/// pulls like a local worker: it announces itself, is handed a task (or a batch of tiny ones),
/// runs them one after another on its node's local pool (which brings timeouts, cancellation and
/// safety from user code) and reports how each ended in one message.
/// </summary>
[SuppressMessage("Reliability", "CA2007:Consider calling ConfigureAwait on the awaited task", Justification = "ReceiveAsync: continuations must run on the actor's own scheduler.")]
internal sealed class ClusterWorkerActor : ReceiveActor
{
    private readonly string _pool;
    private readonly IActorRef _supervisor;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly int _wireBudget = WireBudget.Of(Context.System);
    private NodeContext? _node;

    public ClusterWorkerActor(string pool, IActorRef supervisor)
    {
        _pool = pool;
        _supervisor = supervisor;
        ReceiveAsync<RunTasks>(RunAsync);
    }

    /// <summary>Props that cross the wire for remote deployment: only the pool's name and the supervisor.</summary>
    public static Props Props(string pool, IActorRef supervisor) => Akka.Actor.Props.Create<ClusterWorkerActor>(pool, supervisor);

    protected override void PreStart()
    {
        ClusterNodes.Get(Context.System).TryGet(_pool, out _node);
        var address = _node?.Node ?? Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();
        if (_node is null)
        {
            _log.Warning("Pool {0} has no workers' side on node {1}: create it there with WorkerPool.Create before tasks arrive", _pool, address);
        }

        _supervisor.Tell(new WorkerUp(address));
    }

    private async Task RunAsync(RunTasks batch)
    {
        var outcomes = new WireOutcome[batch.Tasks.Length];
        for (var i = 0; i < batch.Tasks.Length; i++)
        {
            var outcome = await RunOneAsync(batch.Tasks[i]);
            if (outcome is null)
            {
                // This node's pool stopped under us (it is leaving, or its system is going): report
                // what did finish and go; the supervisor puts the rest back when it sees us gone.
                Report(outcomes.AsSpan(0, i).ToArray());
                Context.Stop(Self);
                return;
            }

            outcomes[i] = outcome;
        }

        Report(outcomes);
    }

    private void Report(WireOutcome[] outcomes)
    {
        if (outcomes.Length == 0)
        {
            return;
        }

        var parts = WireBudget.Chunks(outcomes, WireBudget.Size, _wireBudget).ToList();
        for (var i = 0; i < parts.Count; i++)
        {
            _supervisor.Tell(new TasksRan(parts[i], More: i < parts.Count - 1));
        }
    }

    private async Task<WireOutcome?> RunOneAsync(WireTask task)
    {
        var started = DateTimeOffset.UtcNow;
        if (_node is null || !_node.Options.Handlers.TryGet(task.Handler, out var handler))
        {
            var where = _node?.Node ?? "this node";
            return Failed(task, started, new InvalidOperationException($"No task handler named '{task.Handler}' is registered on {where}."));
        }

        var options = new TaskOptions { Timeout = task.TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : Timeout.InfiniteTimeSpan, MaxAttempts = 1 };
        var item = new ExecutedItem(handler, task.Payload, options, _node.Options.Services);
        try
        {
            await _node.Executor.Submit(item, CancellationToken.None);
        }
        catch (SubmitRejectedException)
        {
            return null;
        }

        var done = await item.Done;
        if (done.Outcome == TaskOutcome.Cancelled)
        {
            // No caller's token crosses the wire, so only this node's own pool cancels here: the
            // node is going, and the task is not over. It runs again on another node.
            return null;
        }

        var duration = _node.Executor.Results.Duration(done);
        var outcome = done.Outcome;
        var error = done.Error;
        byte[]? result = null;
        if (outcome == TaskOutcome.Succeeded && handler.ResultType is { } type)
        {
            (result, error) = Encode(task, done.Value, type);
            outcome = error is null ? outcome : TaskOutcome.Failed;
        }

        return new WireOutcome(
            task.Id,
            outcome,
            result,
            error?.GetType().FullName,
            WireBudget.Cut(error?.Message),
            duration.Ticks,
            started,
            task.Attempt,
            outcome == TaskOutcome.Failed && done.Error is not null && WantsRetry(task, done.Error),
            _node.Node);
    }

    /// <summary>A handler's value as JSON for the trip back; a value that cannot make it fails its task, saying why.</summary>
    private (byte[]? Result, Exception? Error) Encode(WireTask task, object? value, Type type)
    {
        byte[] json;
        try
        {
            json = PayloadCodec.Serialize(value, type);
        }
        catch (Exception ex)
        {
            return (null, new InvalidOperationException($"The {type.Name} result of handler '{task.Handler}' cannot be serialized as JSON: {ex.Message}", ex));
        }

        return WireBudget.TooLarge($"The result of handler '{task.Handler}'", json, _wireBudget, WireBudget.FrameSize(Context.System)) is { } tooLarge
            ? (null, new InvalidOperationException(tooLarge))
            : (json, null);
    }

    private bool WantsRetry(WireTask task, Exception error)
    {
        if (task.Attempt >= task.MaxAttempts || error is OperationCanceledException or CircuitOpenException)
        {
            return false;
        }

        try
        {
            return _node!.Options.ShouldRetry(error);
        }
        catch (Exception ex)
        {
            _log.Error(ex, "The ShouldRetry predicate threw for task {0}; not retrying", task.Id);
            return false;
        }
    }

    private WireOutcome Failed(WireTask task, DateTimeOffset started, Exception error) =>
        new(task.Id, TaskOutcome.Failed, null, error.GetType().FullName, error.Message, 0, started, task.Attempt, RetryWanted: false, _node?.Node);
}
