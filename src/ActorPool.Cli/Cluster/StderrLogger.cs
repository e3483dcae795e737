using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace ActorPool.Cli.Cluster;

/// <summary>
/// Akka's log on stderr, one line per event and never a stack trace: the cluster commands keep
/// stdout for what scripts read (<c>node up: ...</c>, the summary, the JSON), and Akka's own
/// loggers write to stdout. Named in <c>akka.loggers</c> by <see cref="ClusterNode"/>.
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
        var cause = log.Cause is { } error ? $" ({error.GetType().Name}: {error.Message})" : string.Empty;
        Console.Error.WriteLine($"[{log.LogLevel().ToString().Replace("Level", string.Empty, StringComparison.Ordinal).ToUpperInvariant()}] {log.Message}{cause}");
    }
}
