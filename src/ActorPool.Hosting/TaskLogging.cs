using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ActorPool.Hosting;

/// <summary>Chains the per-task log event in front of the pool's own <see cref="WorkerPoolOptions.OnTaskCompleted"/> hook.</summary>
internal sealed class TaskLogging(string poolName, ILoggerFactory? loggerFactory) : IPostConfigureOptions<WorkerPoolOptions>
{
    public void PostConfigure(string? name, WorkerPoolOptions options)
    {
        if (name != poolName || loggerFactory is null)
        {
            return;
        }

        var logger = loggerFactory.CreateLogger(ActorPoolLog.Category);
        var hook = options.OnTaskCompleted;
        options.OnTaskCompleted = result =>
        {
            ActorPoolLog.TaskCompleted(logger, poolName, result);
            hook?.Invoke(result);
        };
    }
}
