using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;

namespace ActorPool.Cli.Cluster;

/// <summary>How to start one node of the CLI's cluster.</summary>
/// <param name="Hostname">The host name or IP address the node listens on and other nodes reach it by.</param>
/// <param name="Port">The TCP port; 0 picks a free one.</param>
/// <param name="Seeds">Nodes to join through; empty (or only this node) means the node starts a new cluster.</param>
/// <param name="Workers">Workers this node hosts; 0 means it only submits (no <c>worker</c> role).</param>
/// <param name="LogLevel">Akka's log level on stderr (WARNING for a node, ERROR for a run, whose progress lines say what matters).</param>
/// <param name="ShutdownTimeout">How long leaving waits for the tasks running here (and, for a run, for its own tasks' outcomes); null for the pool's default, 30 s.</param>
internal sealed record ClusterNodeSettings(string Hostname, int Port, IReadOnlyList<SeedAddress> Seeds, int Workers, string LogLevel = "WARNING", TimeSpan? ShutdownTimeout = null);

/// <summary>
/// One clustered actor system with the CLI's pool on it, shared by <c>actorpool node</c> and
/// <c>actorpool run --cluster</c>: the same system name, pool name and <c>sleep</c> handler on
/// every node, the split-brain resolver that downs a crashed node so its tasks run elsewhere,
/// and Akka's log on stderr.
/// </summary>
internal sealed class ClusterNode : IAsyncDisposable
{
    /// <summary>The actor system's name: Akka only joins nodes whose systems share it.</summary>
    public const string SystemName = "actorpool";

    /// <summary>The pool's name on every node; submits reach its supervisor singleton by it.</summary>
    public const string PoolName = "actorpool";

    /// <summary>The cluster role of nodes with workers (<see cref="ClusterOptions.Role"/>'s default).</summary>
    public const string WorkerRole = "worker";

    /// <summary>
    /// How long the split-brain resolver waits for the membership to stay unchanged before it
    /// downs unreachable nodes. Akka's default (20 s) would hold a dead node's tasks that long;
    /// much shorter risks downing a node that only paused (a long GC, a loaded machine).
    /// </summary>
    public static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(5);

    /// <summary>How long leaving may take before the process stops waiting: Akka's cluster-exiting phases are bounded by 10 s each.</summary>
    private static readonly TimeSpan LeaveLimit = TimeSpan.FromSeconds(30);

    /// <summary>How often <see cref="WaitForWorkersAsync"/> looks at the figures the supervisor sends (every 250 ms).</summary>
    private static readonly TimeSpan WorkersPoll = TimeSpan.FromMilliseconds(100);

    private readonly ActorSystem _system;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ClusterNode(ActorSystem system, WorkerPool pool)
    {
        _system = system;
        _cluster = Akka.Cluster.Cluster.Get(system);
        Pool = pool;
        _cluster.RegisterOnMemberUp(() => _up.TrySetResult());
    }

    /// <summary>The clustered pool, with the <c>sleep</c> handler registered.</summary>
    public WorkerPool Pool { get; }

    /// <summary>This node's address, e.g. <c>akka.tcp://actorpool@127.0.0.1:4053</c>.</summary>
    public Address Address => _cluster.SelfAddress;

    /// <summary>Completes when the actor system has terminated: after leaving, or when the cluster downed this node.</summary>
    public Task Terminated => _system.WhenTerminated;

    /// <summary>Starts the actor system and the pool; joining is <see cref="JoinAsync"/>.</summary>
    /// <param name="settings">Where the node listens, whom it joins, how many workers it hosts.</param>
    /// <param name="configure">Changes to the pool's options (the run's queue and retained results).</param>
    /// <exception cref="Exception">Akka could not start, typically because the port is taken; the message says why.</exception>
    public static ClusterNode Start(ClusterNodeSettings settings, Action<WorkerPoolOptions>? configure = null)
    {
        var system = ActorSystem.Create(SystemName, Config(settings).WithFallback(WorkerPool.DefaultConfig()));
        try
        {
            var options = new WorkerPoolOptions { Workers = Math.Max(settings.Workers, 1), ShutdownTimeout = Drain(settings) };
            options.Cluster.Enabled = true;
            options.Cluster.Role = WorkerRole;
            options.Cluster.MaxWorkersPerNode = settings.Workers;
            SleepTask.Register(options);
            configure?.Invoke(options);
            var pool = WorkerPool.Create(system, options, PoolName);
            system.ActorOf(Props.Create<MembershipNotices>(), "membership-notices");
            return new ClusterNode(system, pool);
        }
        catch
        {
            system.Terminate();
            throw;
        }
    }

    /// <summary>Joins the cluster through the seeds (or starts one) and waits until this node is Up.</summary>
    /// <param name="settings">The seeds.</param>
    /// <param name="timeout">How long to wait; Akka keeps retrying the seeds meanwhile.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>True once this node is Up; false when it was not within <paramref name="timeout"/>.</returns>
    public async Task<bool> JoinAsync(ClusterNodeSettings settings, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // With no seed, or this node as the only one, JoinSeedNodes joins itself at once: a new cluster.
        var seeds = settings.Seeds.Select(s => s.ToAddress(SystemName)).ToList();
        _cluster.JoinSeedNodes(seeds.Count > 0 ? seeds : [Address]);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var first = await Task.WhenAny(_up.Task, Terminated, Task.Delay(timeout, limit.Token));
        await limit.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        return first == _up.Task;
    }

    /// <summary>Waits until the pool's supervisor reports workers on some node.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>True once workers are there; false when none were within <paramref name="timeout"/>.</returns>
    public async Task<bool> WaitForWorkersAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        using var poll = new PeriodicTimer(WorkersPoll);
        try
        {
            while (Pool.GetStats().Workers == 0)
            {
                await poll.WaitForNextTickAsync(limit.Token);
            }

            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Leaves the cluster gracefully (CoordinatedShutdown with the cluster-leaving reason): the
    /// pool's front drains, this node's workers finish or hand back their tasks, the singleton
    /// moves if it ran here, and the actor system terminates. Safe to call more than once.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (a second Ctrl+C); the leaving goes on.</param>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CoordinatedShutdown.Get(_system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).WaitAsync(LeaveLimit, cancellationToken);
        }
        catch (TimeoutException)
        {
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{Address}: leaving took longer than {LeaveLimit.TotalSeconds:F0} s; stopping anyway."));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Ends the system if nothing else did (an error before leaving); a system that already
        // left terminates at once.
        await _system.Terminate().WaitAsync(LeaveLimit).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private static TimeSpan Drain(ClusterNodeSettings settings) => settings.ShutdownTimeout ?? new WorkerPoolOptions().ShutdownTimeout;

    private static Config Config(ClusterNodeSettings settings)
    {
        var roles = settings.Workers > 0 ? WorkerRole : string.Empty;
        return ConfigurationFactory.ParseString(string.Create(CultureInfo.InvariantCulture, $$"""
            akka {
              loglevel = {{settings.LogLevel}}
              # Akka's own loggers write to stdout, which carries only what scripts read.
              stdout-loglevel = OFF
              loggers = ["ActorPool.Cli.Cluster.StderrLogger, ActorPool.Cli"]
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              actor.provider = cluster
              remote {
                # A seed that is not up yet would otherwise log an association error per retry.
                log-remote-lifecycle-events = off
                dot-netty.tcp {
                  hostname = "{{settings.Hostname}}"
                  port = {{settings.Port}}
                }
              }
              cluster {
                roles = [{{roles}}]
                # A node that crashes is downed by the majority, and what its workers held runs elsewhere.
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-majority
                  stable-after = {{StableAfter.TotalSeconds}}s
                }
                # The proxy warns before this node has even joined; a run says itself when no worker node appears.
                singleton-proxy.log-singleton-identification-failure = off
              }
              # Leaving drains the pool in this phase: give it the pool's shutdown timeout and a little more.
              coordinated-shutdown.phases.service-requests-done.timeout = {{Drain(settings).TotalSeconds + 5}}s
              # Signals are the CLI's own (ShutdownSignal): it leaves the cluster itself on Ctrl+C or SIGTERM.
              coordinated-shutdown.run-by-clr-shutdown-hook = off
            }
            """));
    }

    /// <summary>Tells stderr who joins, becomes unreachable and leaves, so a node's terminal shows what the cluster does.</summary>
    private sealed class MembershipNotices : ReceiveActor
    {
        public MembershipNotices()
        {
            Receive<ClusterEvent.MemberUp>(up => Notice("member up", up.Member.Address));
            Receive<ClusterEvent.UnreachableMember>(lost => Notice("member unreachable", lost.Member.Address));
            Receive<ClusterEvent.ReachableMember>(back => Notice("member reachable again", back.Member.Address));
            Receive<ClusterEvent.MemberRemoved>(removed => Notice($"member removed ({removed.PreviousStatus})", removed.Member.Address));
        }

        protected override void PreStart() =>
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(
                Self,
                ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.MemberUp),
                typeof(ClusterEvent.UnreachableMember),
                typeof(ClusterEvent.ReachableMember),
                typeof(ClusterEvent.MemberRemoved));

        protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

        private static void Notice(string what, Address address) => Console.Error.WriteLine($"{what}: {address}");
    }
}
