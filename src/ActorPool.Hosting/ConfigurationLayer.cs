using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ActorPool.Hosting;

/// <summary>Binds the <c>ActorPool:&lt;name&gt;</c> section (appsettings.json, <c>ActorPool__&lt;name&gt;__Workers</c> variables) over the HOCON layer.</summary>
internal sealed class ConfigurationLayer(string poolName, IConfiguration? configuration) : IConfigureNamedOptions<WorkerPoolOptions>
{
    public void Configure(WorkerPoolOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, WorkerPoolOptions options)
    {
        if (name != poolName || configuration is null)
        {
            return;
        }

        var section = configuration.GetSection(ActorPoolKeys.SectionFor(poolName));
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the key and the value it could not convert.
            throw new OptionsValidationException(poolName, typeof(WorkerPoolOptions), [ex.Message]);
        }
    }
}
