namespace ActorPool;

/// <summary>
/// A named task failed on another node. Exceptions do not cross the wire as objects: this one
/// carries the original exception's type name and message.
/// </summary>
public sealed class RemoteTaskException : Exception
{
    /// <summary>Creates the exception for a failure of type <paramref name="exceptionType"/>.</summary>
    /// <param name="exceptionType">The full name of the exception the task threw.</param>
    /// <param name="message">That exception's message.</param>
    public RemoteTaskException(string exceptionType, string message)
        : base(message) => ExceptionType = exceptionType;

    /// <summary>The failure of a durable task that ran in this process: its own exception stays as the inner one.</summary>
    internal RemoteTaskException(string exceptionType, string message, Exception? original)
        : base(message, original) => ExceptionType = exceptionType;

    /// <summary>Creates the exception with no type recorded.</summary>
    public RemoteTaskException()
        : this("(unknown)", "A task failed on another node.")
    {
    }

    /// <summary>Creates the exception with no type recorded and the given message.</summary>
    /// <param name="message">The message.</param>
    public RemoteTaskException(string message)
        : this("(unknown)", message)
    {
    }

    /// <summary>Creates the exception with no type recorded, a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RemoteTaskException(string message, Exception innerException)
        : base(message, innerException) => ExceptionType = innerException?.GetType().FullName ?? "(unknown)";

    /// <summary>The full type name of the exception the task threw, such as <c>System.IO.IOException</c>.</summary>
    public string ExceptionType { get; }
}
