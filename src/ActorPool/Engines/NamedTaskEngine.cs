using ActorPool.Admission;
using ActorPool.Work;

namespace ActorPool.Engines;

/// <summary>
/// An engine that takes named tasks only (clustered and durable pools): a closure is refused with
/// <see cref="RejectionReason.NamedTasksOnly"/>, and a submit returns once whatever stands behind
/// the gate (the cluster's supervisor, the journal) has accepted the task, not when the gate has.
/// </summary>
internal abstract class NamedTaskEngine : PoolEngine
{
    public override bool FixesDelayAtSubmit => true;

    /// <summary>The gate that admits into the engine's inbox.</summary>
    protected abstract AdmissionGate Gate { get; }

    public override bool Accepting => !Gate.IsClosed;

    public sealed override Task<long> Submit(WorkItem item, CancellationToken cancellationToken)
    {
        if (item is not NamedItem named)
        {
            Gate.CountRefused();
            return Task.FromException<long>(new SubmitRejectedException(RejectionReason.NamedTasksOnly));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            Gate.CountRefused();
            return Task.FromCanceled<long>(cancellationToken);
        }

        if (Keys is not { } keys || named.DedupKey is null)
        {
            return AdmitNamed(named, cancellationToken);
        }

        return KeysReady is { IsCompleted: false } ready
            ? AdmitKeyedWhenReadyAsync(keys, named, ready, cancellationToken)
            : AdmitKeyed(keys, named, cancellationToken);
    }

    /// <summary>A keyed submit: joins the key's task, or is admitted as it (the named path always answers with a task).</summary>
    private Task<long> AdmitKeyed(KeyTable keys, NamedItem named, CancellationToken cancellationToken) =>
        keys.Admit(named, _admitNamed ??= (keyed, token) => AdmitNamed((NamedItem)keyed, token), cancellationToken)!;

    /// <summary>Completes once the key table holds every key of tasks read back from a journal; null when nothing is read back.</summary>
    protected virtual Task? KeysReady => null;

    private async Task<long> AdmitKeyedWhenReadyAsync(KeyTable keys, NamedItem named, Task ready, CancellationToken cancellationToken)
    {
        try
        {
            await ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            Gate.CountRefused(); // never reached the gate: a refusal all the same
            throw;
        }

        return await AdmitKeyed(keys, named, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Admits a keyed named task; made on first use (a race makes an equal one).</summary>
    private Func<WorkItem, CancellationToken, Task<long>?>? _admitNamed;

    /// <summary>The pool's deduplication keys when they are kept in this process (a durable pool); null when the supervisor keeps them (a clustered one).</summary>
    protected virtual KeyTable? Keys => null;

    private Task<long> AdmitNamed(NamedItem named, CancellationToken cancellationToken)
    {
        named.Acceptance = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var admission = Gate.TryAdmit(named, mayWait: true);
        return admission switch
        {
            AdmissionResult.Accepted => named.Acceptance.Task,
            AdmissionResult.NeedsRoom => AdmitWhenRoomAsync(named, cancellationToken),
            _ => Task.FromException<long>(Gate.Refusal(admission)),
        };
    }

    public sealed override bool TrySubmit(WorkItem item)
    {
        if (item is not NamedItem named)
        {
            Gate.CountRefused();
            return false;
        }

        named.Acceptance = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        return Keys is { } keys && named.DedupKey is not null
            ? keys.TryAdmit(named, keyed => Gate.TryAdmit(keyed, mayWait: false), Gate.Refusal)
            : Gate.TryAdmit(item, mayWait: false) == AdmissionResult.Accepted;
    }

    public sealed override async Task<IReadOnlyList<long>> SubmitMany(int total, Func<int, WorkItem> itemAt, CancellationToken cancellationToken)
    {
        // Every task goes into the inbox at once; what stands behind it takes whatever gathered in one batch.
        var accepted = new List<Task<long>>(total);
        var next = 0;
        try
        {
            for (; next < total; next++)
            {
                accepted.Add(Submit(itemAt(next), cancellationToken));
                if (accepted[^1].IsFaulted || accepted[^1].IsCanceled)
                {
                    next++;
                    break;
                }
            }
        }
        finally
        {
            Gate.CountRefused(total - next);
        }

        return await Task.WhenAll(accepted).ConfigureAwait(false);
    }

    private async Task<long> AdmitWhenRoomAsync(NamedItem item, CancellationToken cancellationToken)
    {
        await Gate.AdmitWhenRoomAsync(item, cancellationToken).ConfigureAwait(false);
        return await item.Acceptance!.Task.ConfigureAwait(false);
    }
}
