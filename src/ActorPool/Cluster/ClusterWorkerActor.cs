using ActorPool.Actors;
using ActorPool.Messages;
using ActorPool.Named;
using ActorPool.Work;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Cluster;

/// <summary>
/// One worker of a clustered pool, deployed onto a node by the supervisor's cluster router. It
/// pulls like a local worker: it announces itself, is handed a task (or a batch of tiny ones),
/// runs them one after another with the same <see cref="TaskRunner"/> a local worker uses (token,
/// deadline, safety from user code, the retry rule) and reports how each ended in one message.
/// </summary>
/// <remarks>A run is awaited without blocking the actor: its completion sends <see cref="RunEnded"/>.</remarks>
internal sealed class ClusterWorkerActor : ReceiveActor
{
    private readonly string _pool;
    private readonly IActorRef _supervisor;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly int _wireBudget = WireBudget.Of(Context.System);
    private readonly List<WireOutcome> _outcomes = [];
    private readonly Action _onRunEnded;
    private NodeContext? _node;
    private NodeRunRules? _rules;
    private TaskRunner? _runner;

    private WireTask[] _batch = [];
    private int _next;

    /// <summary>Tasks of the current batch cancelled by id before they started: reported <c>Cancelled</c>, not run.</summary>
    private HashSet<long>? _skip;

    /// <summary>The task whose run is awaited, or null.</summary>
    private NamedItem? _current;
    private Task? _running;

    public ClusterWorkerActor(string pool, IActorRef supervisor)
    {
        _pool = pool;
        _supervisor = supervisor;
        var self = Self;
        _onRunEnded = () => self.Tell(RunEnded.Instance, ActorRefs.NoSender);
        Receive<RunTasks>(HandleRunTasks);
        Receive<RunEnded>(_ => HandleRunEnded());
        Receive<CancelRunning>(HandleCancelRunning);
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
        else
        {
            _rules = NodeRunRules.For(_node, Self, _supervisor);
            _runner = new TaskRunner(_rules, _log);
        }

        _supervisor.Tell(new WorkerUp(address));
    }

    protected override void PostStop()
    {
        _runner?.Abandon();
        if (_current is not null)
        {
            _node!.RunEnded();
            _current = null;
        }
    }

    private void HandleRunTasks(RunTasks batch)
    {
        _batch = batch.Tasks;
        _next = 0;
        _skip = null;
        _outcomes.Clear();
        RunNext();
    }

    private void HandleCancelRunning(CancelRunning cancel)
    {
        if (_current?.Id == cancel.Id)
        {
            _runner?.CancelRun();
        }
        else if (Array.FindIndex(_batch, _next, task => task.Id == cancel.Id) >= 0)
        {
            (_skip ??= []).Add(cancel.Id);
        }
    }

    private void HandleRunEnded()
    {
        if (_running is not { IsCompleted: true } run)
        {
            return; // a run of an earlier incarnation
        }

        var item = _current!;
        _current = null;
        _running = null;
        if (End(item, run))
        {
            RunNext();
        }
    }

    /// <summary>Starts the batch's tasks one after another until one has to be awaited, then reports.</summary>
    private void RunNext()
    {
        while (_next < _batch.Length)
        {
            var task = _batch[_next++];
            if (_skip is not null && _skip.Remove(task.Id))
            {
                _outcomes.Add(new WireOutcome(task.Id, TaskOutcome.Cancelled, null, typeof(OperationCanceledException).FullName, $"Task {task.Id} was cancelled by CancelAsync.", 0, DateTimeOffset.UtcNow, task.Attempt, RetryWanted: false, _node?.Node));
                continue;
            }

            if (_node is null || !_node.Options.Handlers.TryGet(task.Handler, out var handler))
            {
                var where = _node?.Node ?? "this node";
                _outcomes.Add(Failed(task, new InvalidOperationException($"No task handler named '{task.Handler}' is registered on {where}.")));
                continue;
            }

            if (_node.IsLeaving)
            {
                Leave();
                return;
            }

            var item = new NamedItem(handler, task.Payload, OptionsOf(task), _node.Options.Services) { Id = task.Id, Attempts = task.Attempt };
            item.TryMove(ItemState.Inbox, ItemState.Running);
            item.StartTimestamp = _rules!.Time.GetTimestamp();
            _node.RunStarted();
            var run = _runner!.Start(item);
            if (!run.IsCompleted)
            {
                _current = item;
                _running = run;
                run.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onRunEnded);
                return;
            }

            if (!End(item, run))
            {
                return;
            }
        }

        Report(batchDone: true);
        _batch = [];
    }

    /// <summary>A run ended: keeps its outcome for the report; false when the node is leaving and this worker went.</summary>
    private bool End(NamedItem item, Task run)
    {
        _node!.RunEnded();
        var ended = _runner!.End(item, run);
        if (ended.Outcome == TaskOutcome.Cancelled && !ended.ByRequest)
        {
            // No caller's token crosses the wire, so only this node cancels here: it is leaving,
            // and the task is not over. The supervisor runs it again on another node.
            Leave();
            return false;
        }

        if (!item.TryMove(ItemState.Running, ItemState.Settled))
        {
            return true; // its deadline passed and reported it
        }

        var outcome = ended.Outcome;
        var error = ended.Error;
        byte[]? result = null;
        if (outcome == TaskOutcome.Succeeded && item.Handler.ResultType is { } type)
        {
            (result, error) = Encode(item, type);
            outcome = error is null ? outcome : TaskOutcome.Failed;
        }

        _outcomes.Add(_rules!.Report(item, outcome, result, error, ended.RetryWanted));
        return true;
    }

    /// <summary>This node is going: reports what finished and stops; the supervisor puts the rest back when it sees this worker gone.</summary>
    private void Leave()
    {
        Report(batchDone: false);
        _batch = [];
        Context.Stop(Self);
    }

    /// <summary>
    /// Sends the outcomes kept; at a batch's end always, even none (its timed-out runs were
    /// reported at their deadlines), since the last part of a report frees the worker.
    /// </summary>
    private void Report(bool batchDone)
    {
        if (_outcomes.Count == 0)
        {
            if (batchDone)
            {
                _supervisor.Tell(new TasksRan([]));
            }

            return;
        }

        var parts = WireBudget.Chunks(_outcomes.ToArray(), WireBudget.Size, _wireBudget).ToList();
        _outcomes.Clear();
        for (var i = 0; i < parts.Count; i++)
        {
            _supervisor.Tell(new TasksRan(parts[i], More: i < parts.Count - 1));
        }
    }

    /// <summary>A handler's value as JSON for the trip back; a value that cannot make it fails its task, saying why.</summary>
    private (byte[]? Result, Exception? Error) Encode(NamedItem item, Type type)
    {
        byte[] json;
        try
        {
            json = PayloadCodec.Serialize(item.Value, type);
        }
        catch (Exception ex)
        {
            return (null, new InvalidOperationException($"The {type.Name} result of handler '{item.Handler.Name}' cannot be serialized as JSON: {ex.Message}", ex));
        }

        return WireBudget.TooLarge($"The result of handler '{item.Handler.Name}'", json, _wireBudget, WireBudget.FrameSize(Context.System)) is { } tooLarge
            ? (null, new InvalidOperationException(tooLarge))
            : (json, null);
    }

    /// <summary>The run's settings as the supervisor decided them: its timeout and the tries allowed in all.</summary>
    private static TaskOptions OptionsOf(WireTask task) => new()
    {
        Timeout = task.TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : Timeout.InfiniteTimeSpan,
        MaxAttempts = task.MaxAttempts,
    };

    private WireOutcome Failed(WireTask task, Exception error) =>
        new(task.Id, TaskOutcome.Failed, null, error.GetType().FullName, error.Message, 0, DateTimeOffset.UtcNow, task.Attempt, RetryWanted: false, _node?.Node);
}
