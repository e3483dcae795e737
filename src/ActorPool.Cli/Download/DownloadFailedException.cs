namespace ActorPool.Cli.Download;

/// <summary>A file could not be fetched and retrying will not (or no longer may) help.</summary>
internal sealed class DownloadFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DownloadFailedException()
    {
    }

    /// <summary>Creates the exception with the reason shown to the user.</summary>
    public DownloadFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the reason and its cause.</summary>
    public DownloadFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
