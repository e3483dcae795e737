namespace ActorPool.Tests.Reliability;

/// <summary>The ways to hand a pool a task; tests that promise "every submit path" run over all of them.</summary>
public enum SubmitPath
{
    SubmitAsync,
    TrySubmitAsync,
    RunAsync,
    SubmitManyAsync,
}

internal static class SubmitPaths
{
    /// <summary>Submits <paramref name="task"/> through <paramref name="path"/>: true if accepted, false if TrySubmitAsync declined; other refusals throw as the path does.</summary>
    /// <remarks>For RunAsync the returned task completes when the task has run, not when it was accepted.</remarks>
    public static async Task<bool> SubmitViaAsync(this WorkerPool pool, SubmitPath path, Func<CancellationToken, Task> task, TaskOptions? options = null)
    {
        switch (path)
        {
            case SubmitPath.SubmitAsync:
                await pool.SubmitAsync(task, options);
                return true;
            case SubmitPath.TrySubmitAsync:
                return await pool.TrySubmitAsync(task, options);
            case SubmitPath.RunAsync:
                await pool.RunAsync(
                    async ct =>
                    {
                        await task(ct);
                        return 0;
                    },
                    options);
                return true;
            default:
                await pool.SubmitManyAsync([task], options);
                return true;
        }
    }
}
