using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace ActorPool.Hosting.Tests;

/// <summary>Builds real generic hosts the way a service would, with nothing read from the machine unless a test asks.</summary>
internal static class TestHosts
{
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    public static HostApplicationBuilder NewBuilder(IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        return builder;
    }

    /// <summary>The usual registration: an actor system from Akka.Hosting, then one pool.</summary>
    public static IHost Build(string pool, Action<WorkerPoolOptions>? configure = null, IDictionary<string, string?>? settings = null, string? hocon = null)
    {
        var builder = NewBuilder(settings);
        builder.Services.AddAkka("hosting-tests", akka =>
        {
            akka.AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend);
            if (hocon is not null)
            {
                akka.AddHocon(hocon, HoconAddMode.Prepend);
            }
        });
        builder.Services.AddActorPool(pool, configure);
        return builder.Build();
    }
}
