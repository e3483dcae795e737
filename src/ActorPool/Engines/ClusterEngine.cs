using System.Diagnostics.CodeAnalysis;
using ActorPool.Actors;
using ActorPool.Admission;
using ActorPool.Cluster;
using ActorPool.Configuration;
using ActorPool.Diagnostics;
using ActorPool.Durable;
using ActorPool.Messages;
using ActorPool.Outcomes;
using ActorPool.Serialization;
using Akka;
using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Inbox = ActorPool.Admission.Inbox;

namespace ActorPool.Engines;

/// <summary>
/// A pool spread over an Akka.Cluster. Every node has a front (admission and outcomes for its own
/// callers); nodes with the pool's role also run a singleton manager for the supervisor and host
/// the cluster workers the supervisor's router deploys, which run their tasks themselves.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "The stop disposes the meter; the pool's lifetime is its stop, not a using block.")]
internal sealed class ClusterEngine : NamedTaskEngine
{
    private const string SingletonName = "supervisor";

    private readonly WorkerPoolOptions _options;
    private readonly string _name;
    private readonly ActorSystem _system;
    private readonly PoolMetrics _metrics;
    private readonly Once _stop;
    private readonly AdmissionGate _gate;
    private readonly ResultStore _results;
    private readonly FrontContext _front;
    private readonly IActorRef _frontActor;
    private readonly Schedules.ScheduleDriving? _driving;

    public ClusterEngine(ActorSystem system, WorkerPoolOptions options, string name)
    {
        if (system is not ExtendedActorSystem extended || !extended.Provider.GetType().FullName!.Contains("Cluster", StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"A clustered pool needs a clustered actor system (akka.actor.provider = cluster); '{system.Name}' uses {system.Settings.ProviderClass}.",
                nameof(system));
        }

        _options = options;
        _name = name;
        _system = system;
        _stop = new Once(DrainAsync);
        if (options.Persistence.Enabled)
        {
            // Every node that may take the singleton over reads the same journal.
            JournalSetup.Check(options.Persistence);
            system.Settings.InjectTopLevelFallback(JournalSetup.Config(options.Persistence));
        }

        WarnIfDrainPhaseIsShort(system, options, name);
        PoolMessageSerializer.Bind(extended);
        BindSingletonSerializer(extended);
        system.Settings.InjectTopLevelFallback(ClusterSingleton.DefaultConfig());
        system.Settings.InjectTopLevelFallback(WorkerPoolSettings.ParseReference());

        var cluster = Akka.Cluster.Cluster.Get(system);
        var role = string.IsNullOrWhiteSpace(options.Cluster.Role) ? null : options.Cluster.Role;
        if (role is null || cluster.SelfRoles.Contains(role))
        {
            var node = new NodeContext(options, cluster.SelfAddress.ToString());
            ClusterNodes.Get(system).Register(name, node);
            var shutdown = CoordinatedShutdown.Get(system);
            var runsLimit = RunsLimit(options, shutdown.Timeout(CoordinatedShutdown.PhaseServiceRequestsDone));
            shutdown.AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, $"actor-pool-{name}-node", async () =>
            {
                await node.LeaveAsync(runsLimit).ConfigureAwait(false);
                return Done.Instance;
            });
            var manager = ClusterSingletonManagerSettings.Create(system).WithSingletonName(SingletonName).WithRole(role);
            system.ActorOf(ClusterSingletonManager.Props(ClusterSupervisorActor.Props(name, options), PoisonPill.Instance, manager), name);

            // The schedules fire on one node only: the one Akka's singleton manager gives their driver to, beside the supervisor on the oldest node.
            _driving = new Schedules.ScheduleDriving();
            var schedules = ClusterSingletonManagerSettings.Create(system).WithSingletonName("driver").WithRole(role);
            system.ActorOf(ClusterSingletonManager.Props(Schedules.ScheduleDriverActor.Props(_driving), PoisonPill.Instance, schedules), $"{name}-schedules");
        }

        var proxySettings = ClusterSingletonProxySettings.Create(system).WithSingletonName(SingletonName).WithRole(role);
        var proxy = system.ActorOf(ClusterSingletonProxy.Props($"/user/{name}", proxySettings), $"{name}-proxy");

        var inbox = new Inbox();
        _gate = new AdmissionGate(options, name, inbox);
        _results = new ResultStore(options.MaxRetainedResults, options.TimeProvider);
        var recorder = new OutcomeRecorder(_results, options.TimeProvider, name, options.OnTaskCompleted is not null)
        {
            Aggregator = system.ActorOf(ResultAggregatorActor.Props(options.OnTaskCompleted), $"{name}-results"),
        };
        _metrics = new PoolMetrics(name, GetStats);
        recorder.Metrics = _metrics; // the run times of this node's own tasks
        _front = new FrontContext { Inbox = inbox, Gate = _gate, Recorder = recorder, Proxy = proxy, AskTimeout = options.AskTimeout, WireBudget = WireBudget.Of(system) };
        _frontActor = system.ActorOf(ClusterFrontActor.Props(_front), $"{name}-front");
        inbox.Supervisor = _frontActor;
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, $"actor-pool-{name}-front", async () =>
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            return Done.Instance;
        });
    }

    public override (string Message, bool IdTooLarge)? TooLargeToSend(string handler, byte[] payload, string? id) =>
        WireBudget.TooLarge(handler, payload, id, _front.WireBudget, WireBudget.FrameSize(_system));

    public override Schedules.ScheduleDriving? ScheduleDriving => _driving;

    public override int Workers => _front.Figures?.WorkersByNode.Values.Sum() ?? 0;

    public override IActorRef Supervisor => _frontActor;

    public override ActorSystem? System => _system;

    protected override AdmissionGate Gate => _gate;

    public override void Start(CancellationToken cancellationToken)
    {
        // A clustered pool runs as soon as its supervisor has workers; the front has nothing to start.
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        // Every caller shares the first stop's wait: a second stop neither waits again nor ends sooner.
        return _stop.Run().WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Stopping a node's pool stops its front: no more submits here, and the stop waits for this
    /// node's own tasks. The supervisor and the workers belong to the cluster and leave with the node.
    /// </summary>
    private async Task DrainAsync()
    {
        _gate.Close();
        var limit = OptionLimits.Limit(_options.ShutdownTimeout) ?? Timeout.InfiniteTimeSpan;
        try
        {
            await Task.WhenAny(WaitAsync(CancellationToken.None), _system.WhenTerminated).WaitAsync(limit).ConfigureAwait(false); // a node already gone hears nothing more
        }
        catch (TimeoutException)
        {
            // Their outcomes are still recorded by the supervisor; this node stops waiting for them.
        }

        _metrics.Dispose();
    }

    public override Task WaitAsync(CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _frontActor.Tell(new AwaitFront(reply, _gate.LastIssuedId));
        return reply.Task.WaitAsync(cancellationToken);
    }

    public override void Resize(int workers) =>
        throw new NotSupportedException($"A clustered pool's workers follow its nodes: each node with the pool's role hosts Cluster.MaxWorkersPerNode of them (pool '{_name}').");

    public override PoolStats GetStats()
    {
        var figures = _front.Figures;
        var outcomes = figures?.Outcomes ?? new long[5];
        return new PoolStats
        {
            Workers = figures?.WorkersByNode.Values.Sum() ?? 0,
            WorkersByNode = figures?.WorkersByNode ?? new Dictionary<string, int>(),
            ActiveWorkers = figures?.ActiveWorkers ?? 0,
            Queued = figures?.Queued ?? 0,
            QueueCapacity = _options.QueueSize,
            IsStopped = _gate.IsClosed,
            Submitted = (figures?.Submitted ?? 0) + _gate.Rejected,
            Rejected = (figures?.Rejected ?? 0) + _gate.Rejected,
            Retried = figures?.Retried ?? 0,
            Deduplicated = figures?.Deduplicated ?? 0,
            WaitingForKey = figures?.WaitingForKey ?? 0,
            Delayed = figures?.Delayed ?? 0,
            Resumed = figures?.Resumed ?? 0,
            Recovered = figures?.Recovered ?? 0,
            Succeeded = outcomes[0],
            Failed = outcomes[1],
            Cancelled = outcomes[2],
            TimedOut = outcomes[3],
            Dropped = outcomes[4],
            MeanDuration = TimeSpan.FromTicks(figures?.MeanDurationTicks ?? 0),
            P99Duration = TimeSpan.FromTicks(figures?.P99DurationTicks ?? 0),
        };
    }

    public override IReadOnlyDictionary<long, TaskResult> GetResults() => _results.Snapshot();

    public override (TaskResult Result, TaskOptions? Options)? FindResult(long id) => _results.Find(id);

    public override Diagnostics.ResultPage PageResults(TaskOutcome? outcome, int skip, int take) => _results.Page(outcome, skip, take);

    public override string? SupervisorNode => _front.SupervisorNode;

    /// <summary>Asks the supervisor singleton, wherever it runs: it owns every task's state.</summary>
    public override async Task<bool> CancelAsync(long id, CancellationToken cancellationToken)
    {
        var answer = await _front.Proxy.Ask<CancelAnswer>(new CancelById(id), OptionLimits.Cap(_options.AskTimeout), cancellationToken).ConfigureAwait(false);
        return answer.Cancelled;
    }

    public override async Task<IReadOnlyList<Diagnostics.PendingTask>> GetPendingAsync(int max, CancellationToken cancellationToken)
    {
        var answer = await _front.Proxy.Ask<PendingList>(new ListWaiting(max), OptionLimits.Cap(_options.AskTimeout), cancellationToken).ConfigureAwait(false);
        return [.. answer.Tasks.Select(static t => new Diagnostics.PendingTask(t.Id, t.Running, t.Handler, t.Key, t.Attempts, t.Node))];
    }

    public override Task<PoolState> GetStateAsync() =>
        Task.FromException<PoolState>(new NotSupportedException("A clustered pool's supervisor lives on another node."));

    /// <summary>Binds the cluster singleton's messages to their serializer, unless the system's config did (<see cref="WorkerPool.DefaultConfig"/>).</summary>
    private static void BindSingletonSerializer(ExtendedActorSystem system)
    {
        if (system.Serialization.FindSerializerForType(typeof(IClusterSingletonMessage)) is not Akka.Cluster.Tools.Singleton.Serialization.ClusterSingletonMessageSerializer)
        {
            var singleton = new Akka.Cluster.Tools.Singleton.Serialization.ClusterSingletonMessageSerializer(system);
            system.Serialization.AddSerializer("akka-singleton", singleton);
            system.Serialization.AddSerializationMap(typeof(IClusterSingletonMessage), singleton);
        }
    }

    /// <summary>
    /// How long a leaving node's runs may go on: the pool's shutdown timeout, or the system's drain
    /// phase when that is shorter; the supervisor runs again elsewhere what they do not finish.
    /// </summary>
    private static TimeSpan? RunsLimit(WorkerPoolOptions options, TimeSpan drainPhase) =>
        OptionLimits.Limit(drainPhase < options.ShutdownTimeout && drainPhase > TimeSpan.Zero ? drainPhase : options.ShutdownTimeout);
}
