namespace ActorPool;

/// <summary>A durable pool's journal cannot be read or written: the database is missing, corrupt, locked or unreachable.</summary>
public sealed class PoolJournalException : Exception
{
    /// <summary>Creates the exception with a message that names the database and the reason.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The database's own error.</param>
    public PoolJournalException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public PoolJournalException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public PoolJournalException()
        : base("The pool's journal cannot be used.")
    {
    }
}
