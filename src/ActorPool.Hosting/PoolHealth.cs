using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorPool.Hosting;

/// <summary>How healthy a pool is, decided from one <see cref="PoolStats"/> snapshot; no I/O, so a plain test covers every rule.</summary>
internal static class PoolHealth
{
    /// <summary>Applies the rules: stopped is unhealthy; an open breaker or a nearly full queue is degraded.</summary>
    /// <param name="name">The pool's name, for the description.</param>
    /// <param name="stats">The snapshot.</param>
    /// <param name="nearlyFull">The fraction of a bounded queue from which the pool counts as degraded.</param>
    /// <param name="failureStatus">What "unhealthy" is reported as (the registration's failure status).</param>
    public static HealthCheckResult Evaluate(string name, PoolStats stats, double nearlyFull, HealthStatus failureStatus)
    {
        var c = CultureInfo.InvariantCulture;
        var data = new Dictionary<string, object>
        {
            ["workers"] = stats.Workers,
            ["activeWorkers"] = stats.ActiveWorkers,
            ["queued"] = stats.Queued,
            ["queueCapacity"] = stats.QueueCapacity,
            ["circuitOpen"] = stats.IsCircuitOpen,
            ["stopped"] = stats.IsStopped,
        };
        var queue = stats.QueueCapacity > 0 ? string.Create(c, $"{stats.Queued}/{stats.QueueCapacity}") : string.Create(c, $"{stats.Queued} (unbounded)");
        if (stats.IsStopped)
        {
            return new HealthCheckResult(failureStatus, $"pool {name} is stopped and accepts no tasks", data: data);
        }

        if (stats.IsCircuitOpen)
        {
            return HealthCheckResult.Degraded($"pool {name}: circuit breaker open, tasks fail fast; queue {queue}", data: data);
        }

        if (stats.QueueCapacity > 0 && stats.Queued >= Math.Ceiling(stats.QueueCapacity * nearlyFull))
        {
            return HealthCheckResult.Degraded($"pool {name}: queue nearly full, {queue}", data: data);
        }

        return HealthCheckResult.Healthy(string.Create(c, $"pool {name}: {stats.ActiveWorkers}/{stats.Workers} workers busy, queue {queue}"), data);
    }
}

/// <summary>The health check registered by <see cref="ActorPoolHealthCheckBuilderExtensions.AddActorPool"/>.</summary>
internal sealed class WorkerPoolHealthCheck(string name, IWorkerPool pool, double nearlyFull) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(PoolHealth.Evaluate(name, pool.GetStats(), nearlyFull, context.Registration.FailureStatus));
}
