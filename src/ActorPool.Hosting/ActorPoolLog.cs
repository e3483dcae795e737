using Microsoft.Extensions.Logging;

namespace ActorPool.Hosting;

/// <summary>
/// The structured events pools log. Event ids and names, and the property names, are stable:
/// dashboards and alerts may key on them.
/// </summary>
/// <remarks>A succeeded task logs at Debug only; the happy path adds nothing above Debug per task.</remarks>
internal static partial class ActorPoolLog
{
    /// <summary>The logger category every pool event uses.</summary>
    public const string Category = ActorPoolDiagnostics.LogCategory;

    [LoggerMessage(EventId = 4001, EventName = "PoolStarted", Level = LogLevel.Information,
        Message = "Pool {Pool} started with {Workers} workers, queue size {QueueSize}, shutdown timeout {ShutdownTimeout}")]
    public static partial void PoolStarted(ILogger logger, string pool, int workers, int queueSize, TimeSpan shutdownTimeout);

    [LoggerMessage(EventId = 4002, EventName = "PoolStopped", Level = LogLevel.Information,
        Message = "Pool {Pool} stopped: {Submitted} submitted, {Succeeded} succeeded, {Failed} failed, {Cancelled} cancelled, {TimedOut} timed out, {Dropped} dropped, {Rejected} rejected")]
    public static partial void PoolStopped(ILogger logger, string pool, long submitted, long succeeded, long failed, long cancelled, long timedOut, long dropped, long rejected);

    [LoggerMessage(EventId = 4010, EventName = "TaskSucceeded", Level = LogLevel.Debug,
        Message = "Task {TaskId} in pool {Pool} {Outcome} after {Attempts} attempt(s) in {DurationMs} ms")]
    public static partial void TaskSucceeded(ILogger logger, long taskId, string pool, TaskOutcome outcome, int attempts, double durationMs);

    [LoggerMessage(EventId = 4011, EventName = "TaskFailed", Level = LogLevel.Warning,
        Message = "Task {TaskId} in pool {Pool} {Outcome} after {Attempts} attempt(s) in {DurationMs} ms: {Error}")]
    public static partial void TaskFailed(ILogger logger, Exception? exception, long taskId, string pool, TaskOutcome outcome, int attempts, double durationMs, string error);

    [LoggerMessage(EventId = 4012, EventName = "TaskNotRun", Level = LogLevel.Information,
        Message = "Task {TaskId} in pool {Pool} {Outcome} after {Attempts} attempt(s): {Error}")]
    public static partial void TaskNotRun(ILogger logger, long taskId, string pool, TaskOutcome outcome, int attempts, string error);

    /// <summary>Logs one recorded result at the level its outcome deserves.</summary>
    public static void TaskCompleted(ILogger logger, string pool, TaskResult result)
    {
        var durationMs = Math.Round(result.Duration.TotalMilliseconds, 3);
        if (result.Outcome == TaskOutcome.Succeeded)
        {
            TaskSucceeded(logger, result.TaskId, pool, result.Outcome, result.Attempts, durationMs);
        }
        else if (result.Outcome is TaskOutcome.Failed or TaskOutcome.TimedOut)
        {
            if (logger.IsEnabled(LogLevel.Warning))
            {
                var error = Describe(result.Error);
                TaskFailed(logger, result.Error, result.TaskId, pool, result.Outcome, result.Attempts, durationMs, error);
            }
        }
        else
        {
            // Cancelled and dropped tasks are load shedding or shutdown, not faults.
            if (logger.IsEnabled(LogLevel.Information))
            {
                var error = Describe(result.Error);
                TaskNotRun(logger, result.TaskId, pool, result.Outcome, result.Attempts, error);
            }
        }
    }

    private static string Describe(Exception? error) => error is null ? "(none)" : $"{error.GetType().Name}: {error.Message}";
}
