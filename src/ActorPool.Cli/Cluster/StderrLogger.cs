using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace ActorPool.Cli.Cluster;

/// <summary>
/// Akka's log on stderr, one line per event and never a stack trace: the cluster commands keep
/// stdout for what scripts read (<c>node up: ...</c>, the summary, the JSON), and Akka's own
/// loggers write to stdout. Named in <c>akka.loggers</c> by <see cref="ClusterNode"/> and by the
/// durable run (<c>run --durable</c>).
/// </summary>
internal sealed class StderrLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public StderrLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Write);
    }

    private static void Write(LogEvent log)
    {
        var cause = log.Cause is { } error ? $" ({error.GetType().Name}: {FirstLine(error.Message)})" : string.Empty;
        var level = log.LogLevel().ToString().Replace("Level", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        Console.Error.WriteLine($"[{level}] {FirstLine(log.Message?.ToString())}{cause}");
    }

    /// <summary>
    /// Some of Akka's messages embed an exception's ToString (an association failure does), stack
    /// trace and all; the first line says what happened, the rest is for Akka's developers.
    /// </summary>
    private static string FirstLine(string? text)
    {
        var line = text ?? string.Empty;
        var end = line.IndexOfAny(['\r', '\n']);
        return end < 0 ? line : line[..end].TrimEnd() + " ...";
    }
}
