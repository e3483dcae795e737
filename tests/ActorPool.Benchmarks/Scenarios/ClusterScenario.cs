using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;

namespace ActorPool.Benchmarks.Scenarios;

/// <summary>
/// A clustered pool in one process: three worker nodes with eight workers each and a fourth node
/// without the worker role that submits, all actor systems on 127.0.0.1 with port 0. Every task
/// crosses the wire (the submitter has no workers), so this measures the cluster path: the
/// submitter's front, the supervisor singleton on the oldest worker node, and the workers.
/// </summary>
public sealed class ClusterScenario : IAsyncDisposable
{
    public const string ContenderName = "ActorPool cluster, named tasks";
    public const int WorkerNodes = 3;
    public const int WorkersPerNode = 8;

    /// <summary>The wall-time row: 2,000 tasks of 20 ms.</summary>
    public const int WallTasks = 2_000;
    public const int WallDelayMs = 20;

    private const string PoolName = "bench";
    private const string NoOp = "noop";
    private const string Sleep = "sleep";

    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(120);

    private readonly List<ActorSystem> _nodes = [];
    private WorkerPool? _front;

    private ClusterScenario()
    {
    }

    /// <summary>Tasks × delay spread over every worker: what the wall-time row would take with no overhead at all (1,667 ms).</summary>
    public const double IdealMilliseconds = (double)WallTasks * WallDelayMs / (WorkerNodes * WorkersPerNode);

    /// <summary><see cref="IdealMilliseconds"/> as a time.</summary>
    public static TimeSpan Ideal => TimeSpan.FromMilliseconds(IdealMilliseconds);

    /// <summary>Starts the four nodes, joins them (the first worker node is the oldest, so it holds the supervisor), and waits until all 24 workers are up.</summary>
    public static async Task<ClusterScenario> StartAsync()
    {
        var scenario = new ClusterScenario();
        try
        {
            for (var i = 0; i < WorkerNodes; i++)
            {
                scenario.AddNode(worker: true);
            }

            var submitter = scenario.AddNode(worker: false);
            var seed = Akka.Cluster.Cluster.Get(scenario._nodes[0]).SelfAddress;
            foreach (var node in scenario._nodes)
            {
                Akka.Cluster.Cluster.Get(node).Join(seed);
            }

            scenario._front = WorkerPool.Create(submitter, Options(), PoolName);
            for (var i = 0; i < WorkerNodes; i++)
            {
                WorkerPool.Create(scenario._nodes[i], Options(), PoolName);
            }

            var clock = Stopwatch.StartNew();
            while (scenario._front.GetStats() is { } stats && (stats.WorkersByNode.Count < WorkerNodes || stats.Workers < WorkerNodes * WorkersPerNode))
            {
                if (clock.Elapsed > GiveUpAfter)
                {
                    throw new TimeoutException($"The cluster had {stats.Workers} workers on {stats.WorkersByNode.Count} nodes after {GiveUpAfter.TotalSeconds:F0} s.");
                }

                await Task.Delay(50);
            }

            return scenario;
        }
        catch
        {
            await scenario.DisposeAsync();
            throw;
        }
    }

    /// <summary>Submits <paramref name="tasks"/> no-op named tasks from the submit-only node and waits for every outcome.</summary>
    public Task RunNoOpAsync(int tasks) => RunAsync(NoOp, tasks, 0);

    /// <summary>Submits <paramref name="tasks"/> named tasks that each wait <paramref name="delayMs"/> and waits for every outcome.</summary>
    public Task RunSleepAsync(int tasks, int delayMs) => RunAsync(Sleep, tasks, delayMs);

    public async ValueTask DisposeAsync()
    {
        // No node leaves first: they all go at once, so nobody waits to down anybody.
        await Task.WhenAll(_nodes.Select(n => n.Terminate())).WaitAsync(GiveUpAfter).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private static WorkerPoolOptions Options()
    {
        var options = new WorkerPoolOptions { Workers = WorkersPerNode, QueueSize = 0, MaxRetainedResults = 0 };
        options.Cluster.Enabled = true;
        options.Cluster.MaxWorkersPerNode = WorkersPerNode;
        options.Handlers.Add<int>(NoOp, static (_, _) => Task.CompletedTask);
        options.Handlers.Add<int>(Sleep, static (ms, ct) => Task.Delay(ms, ct));
        return options;
    }

    private async Task RunAsync(string handler, int tasks, int payload)
    {
        var front = _front ?? throw new ObjectDisposedException(nameof(ClusterScenario));
        var payloads = new object?[tasks];
        Array.Fill(payloads, payload);
        await front.SubmitManyAsync(handler, payloads).WaitAsync(GiveUpAfter);
        await front.WaitAsync().WaitAsync(GiveUpAfter);
    }

    private ActorSystem AddNode(bool worker)
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka {
              # The table goes to stdout, where Akka logs. A row that fails shows its exception;
              # the teardown below (no node leaves) would log errors that mean nothing here.
              loglevel = OFF
              stdout-loglevel = OFF
              actor.provider = cluster
              remote.dot-netty.tcp {
                hostname = 127.0.0.1
                port = 0
                # The pool cuts its batches to half the frame: a larger frame means fewer, larger messages.
                maximum-frame-size = 4194304b
                send-buffer-size = 4194304b
                receive-buffer-size = 4194304b
              }
              cluster.roles = [{{(worker ? "worker" : "")}}]
              coordinated-shutdown {
                run-by-clr-shutdown-hook = off
                run-by-actor-system-terminate = off
              }
            }
            """);
        var node = ActorSystem.Create("bench", config.WithFallback(WorkerPool.DefaultConfig()));
        _nodes.Add(node);
        return node;
    }
}
