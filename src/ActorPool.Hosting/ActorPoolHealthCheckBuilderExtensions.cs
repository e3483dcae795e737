using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorPool.Hosting;

/// <summary>Adds health checks for pools registered with <see cref="ActorPoolServiceCollectionExtensions.AddActorPool"/>.</summary>
public static class ActorPoolHealthCheckBuilderExtensions
{
    /// <summary>
    /// Adds a check named <c>actorpool-&lt;poolName&gt;</c>: unhealthy when the pool is stopped (it accepts no
    /// tasks), degraded when its circuit breaker is open or its bounded queue is at least
    /// <paramref name="nearlyFull"/> full, healthy otherwise. Its data carries the worker and queue figures.
    /// </summary>
    /// <param name="builder">The builder from <c>services.AddHealthChecks()</c>.</param>
    /// <param name="poolName">The name the pool was registered under.</param>
    /// <param name="nearlyFull">The fraction of the queue (0 to 1, exclusive of 0) from which the pool counts as degraded; an unbounded queue never does.</param>
    /// <param name="failureStatus">What a stopped pool reports; <see cref="HealthStatus.Unhealthy"/> when null.</param>
    /// <param name="tags">Tags for filtering checks, e.g. <c>"ready"</c>.</param>
    /// <returns>The same <paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="poolName"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nearlyFull"/> is not in (0, 1].</exception>
    public static IHealthChecksBuilder AddActorPool(
        this IHealthChecksBuilder builder,
        string poolName,
        double nearlyFull = 0.9,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(poolName);
        if (!(nearlyFull > 0 && nearlyFull <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(nearlyFull), nearlyFull, $"nearlyFull must be in (0, 1], was: {nearlyFull}.");
        }

        return builder.Add(new HealthCheckRegistration(
            $"actorpool-{poolName}",
            sp => new WorkerPoolHealthCheck(poolName, sp.GetRequiredKeyedService<IWorkerPool>(poolName), nearlyFull),
            failureStatus,
            tags));
    }
}
