using Akka.Configuration;
using Microsoft.Extensions.Options;

namespace ActorPool.Hosting;

/// <summary>
/// Builds a pool's options in layers, lowest first: embedded defaults, then HOCON
/// <c>actor-pool { }</c> (with its <c>WORKER_POOL_*</c> environment overrides), then
/// <see cref="Microsoft.Extensions.Configuration.IConfiguration"/> <c>ActorPool:&lt;name&gt;</c>, then the code delegate.
/// </summary>
/// <remarks>The HOCON layer is the instance the other layers configure, so it is built here rather than by a configure step.</remarks>
internal sealed class WorkerPoolOptionsFactory(
    Func<Config> hocon,
    IEnumerable<IConfigureOptions<WorkerPoolOptions>> setups,
    IEnumerable<IPostConfigureOptions<WorkerPoolOptions>> postConfigures,
    IEnumerable<IValidateOptions<WorkerPoolOptions>> validations)
    : OptionsFactory<WorkerPoolOptions>(setups, postConfigures, validations)
{
    protected override WorkerPoolOptions CreateInstance(string name)
    {
        try
        {
            return WorkerPoolOptions.FromConfig(hocon());
        }
        catch (ConfigurationException ex)
        {
            throw new OptionsValidationException(name, typeof(WorkerPoolOptions), [$"Pool '{name}': {ex.Message}"]);
        }
    }
}
