namespace ActorPool.Cli.Commands;

/// <summary>Process exit codes shared by every command.</summary>
internal static class ExitCodes
{
    /// <summary>Every task succeeded.</summary>
    public const int Success = 0;

    /// <summary>Some tasks did not succeed.</summary>
    public const int SomeFailed = 1;

    /// <summary>The command line was invalid.</summary>
    public const int BadUsage = 2;

    /// <summary>
    /// A cluster command could not do its job with the cluster: the node could not start (port
    /// taken), did not join within the join timeout, found no node with workers, or was removed.
    /// </summary>
    public const int ClusterUnavailable = 3;

    /// <summary>
    /// <c>run --durable</c> could not use its journal file: not a database (corrupt), locked by
    /// another process, not writable, or its journal refused a write mid-run.
    /// </summary>
    public const int JournalUnavailable = 4;

    /// <summary>Interrupted by Ctrl+C or SIGTERM (128 + SIGINT).</summary>
    public const int Interrupted = 130;
}
