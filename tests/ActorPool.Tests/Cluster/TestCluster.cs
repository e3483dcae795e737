using Akka.Actor;
using Akka.Configuration;

namespace ActorPool.Tests.Cluster;

/// <summary>Actor systems on 127.0.0.1, port 0, joined programmatically, so cluster tests can run side by side.</summary>
internal static class TestCluster
{
    public const string Handler = "work";

    /// <summary>Starts a clustered node; <paramref name="worker"/> gives it the role that hosts workers.</summary>
    public static ActorSystem Node(bool worker = true, string extra = "")
    {
        var config = ConfigurationFactory.ParseString($$"""
            {{extra}}
            akka {
              loglevel = WARNING
              stdout-loglevel = WARNING
              log-dead-letters = off
              actor.provider = cluster
              remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
              cluster {
                roles = [{{(worker ? "worker" : "")}}]
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver { active-strategy = keep-majority, stable-after = 2s }
                failure-detector { heartbeat-interval = 500ms, acceptable-heartbeat-pause = 2s }
                singleton.hand-over-retry-interval = 200ms
                singleton-proxy.singleton-identification-interval = 200ms
              }
              coordinated-shutdown {
                run-by-clr-shutdown-hook = off
                # Terminate() is a crash here: the node does not leave first.
                run-by-actor-system-terminate = off
              }
            }
            """);
        return ActorSystem.Create("actorpool", config.WithFallback(WorkerPool.DefaultConfig()));
    }

    /// <summary>Joins <paramref name="nodes"/> to the first one, one after another, so the first is the oldest; waits until all are up.</summary>
    public static async Task JoinAsync(params ActorSystem[] nodes)
    {
        var seed = Akka.Cluster.Cluster.Get(nodes[0]).SelfAddress;
        for (var joined = 1; joined <= nodes.Length; joined++)
        {
            Akka.Cluster.Cluster.Get(nodes[joined - 1]).Join(seed);
            var members = nodes[..joined];
            await TestSignals.EventuallyAsync(
                () => members.All(n => Akka.Cluster.Cluster.Get(n).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == members.Length),
                () => string.Join("; ", members.Select(n => $"{Akka.Cluster.Cluster.Get(n).SelfAddress}: {Akka.Cluster.Cluster.Get(n).State.Members.Count}")));
        }
    }

    /// <summary>A clustered pool on <paramref name="node"/> whose <see cref="Handler"/> waits the payload's milliseconds, then tells <paramref name="ran"/>.</summary>
    public static WorkerPool Pool(ActorSystem node, int workers = 4, Action<WorkerPoolOptions>? configure = null, Action<Work>? ran = null)
    {
        var options = new WorkerPoolOptions { Workers = workers, ShutdownTimeout = TimeSpan.FromSeconds(5) };
        options.Cluster.Enabled = true;
        options.Handlers.Add<Work, string>(Handler, async (work, ct) =>
        {
            await Task.Delay(work.DelayMs, ct);
            ran?.Invoke(work);
            return work.Tag;
        });
        configure?.Invoke(options);
        return WorkerPool.Create(node, options, "jobs");
    }

    public static async Task StopAllAsync(params ActorSystem[] nodes)
    {
        foreach (var node in nodes)
        {
            await node.Terminate().WaitAsync(TimeSpan.FromSeconds(20)).ContinueWith(static _ => { });
        }
    }

    /// <summary>A named task's payload.</summary>
    public sealed record Work(int DelayMs, string Tag = "");
}
