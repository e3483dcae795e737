using ActorPool.Work;
using Akka.Actor;

namespace ActorPool.Cluster;

/// <summary>
/// A named task as the cluster's supervisor holds it: data only (handler name, JSON payload,
/// settings) plus the front that waits for its outcome. The supervisor never runs it; workers on
/// the nodes do, from a <see cref="WireTask"/>.
/// </summary>
internal sealed class ClusterItem(WireSubmit submit, IActorRef front) : WorkItem(options: null)
{
    private string? _node;

    public string Handler { get; } = submit.Handler;

    public byte[] Payload { get; } = submit.Payload;

    public WireOptions? Settings { get; } = submit.Options;

    /// <summary>The front that submitted it: where its outcome goes. It may change when a front submits it again.</summary>
    public IActorRef Front { get; set; } = front;

    /// <summary>Its front counts it as waiting until <see cref="TasksRunning"/> says it started.</summary>
    public bool TellStart { get; set; }

    /// <summary>The handler's value as JSON, once it succeeded.</summary>
    public byte[]? Result { get; set; }

    public override string? Node => _node;

    public override string? Key => Settings?.Key;

    public override int Priority => Settings?.Priority ?? 0;

    public override string? DedupKey => Settings?.DedupKey;

    public override TimeSpan? DedupWindow => Settings?.DeduplicationWindow();

    public override string? ConcurrencyKey => Settings?.ConcurrencyKey;

    /// <summary>Fronts besides <see cref="Front"/> whose submits joined this task by its key: its outcome goes to them too.</summary>
    public HashSet<IActorRef>? JoinedFronts { get; private set; }

    /// <summary>A front's submit joined this task: it hears the outcome too.</summary>
    public void Join(IActorRef front)
    {
        if (!front.Equals(Front))
        {
            (JoinedFronts ??= []).Add(front);
        }
    }

    public override Task? Invoke(CancellationToken token) =>
        throw new NotSupportedException("The cluster's supervisor hands tasks to workers; it never runs one.");

    public override void Release()
    {
    }

    public void RanOn(string? node) => _node = node;
}
