using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ActorPool.Hosting;

/// <summary>Registers ActorPool worker pools in a generic host that runs Akka.NET through Akka.Hosting.</summary>
public static class ActorPoolServiceCollectionExtensions
{
    /// <summary>Headroom on top of the longest pool drain for the other tasks of the same shutdown phase.</summary>
    private static readonly TimeSpan PhaseMargin = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Akka's CLR exit hook would start the drain from the process-exit event, alongside the
    /// host's own stop and before hosted services see their stopping token, so a service still
    /// submitting would be rejected mid-loop. With the hook off, a signal reaches Akka only
    /// through the host. Appended, so a user's own HOCON still decides.
    /// </summary>
    private static readonly Config HostOwnsShutdown = ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off");

    /// <summary>
    /// Registers a named pool in the container's <see cref="ActorSystem"/> and an <see cref="IWorkerPool"/>
    /// handle keyed by <paramref name="name"/> (the first pool registered is also the unkeyed <see cref="IWorkerPool"/>).
    /// </summary>
    /// <param name="services">The host's services; <c>AddAkka(...)</c> must already be called on them.</param>
    /// <param name="name">The pool's name: its actor name, its metrics tag and its configuration key <c>ActorPool:&lt;name&gt;</c>.</param>
    /// <param name="configure">Sets options in code; it wins over every other source.</param>
    /// <returns>The same <paramref name="services"/>, for chaining.</returns>
    /// <remarks>
    /// <para>Options come in layers, each overriding the one before: embedded defaults, HOCON
    /// <c>actor-pool { }</c> in the actor system's config (and its <c>WORKER_POOL_*</c> environment
    /// overrides), <see cref="IConfiguration"/> section <c>ActorPool:&lt;name&gt;</c> (appsettings.json,
    /// <c>ActorPool__&lt;name&gt;__Workers</c>), then <paramref name="configure"/>. Invalid values make the
    /// host fail to start with an <see cref="OptionsValidationException"/> naming the key and the value.</para>
    /// <para>The pool is created and started when Akka starts with the host (or earlier, when the handle is
    /// first resolved). On host stop, Akka.Hosting runs CoordinatedShutdown, whose <c>service-requests-done</c>
    /// phase drains the pool: running and queued tasks get up to <see cref="WorkerPoolOptions.ShutdownTimeout"/>,
    /// the rest are recorded. The phase's timeout is raised to fit the longest drain unless your HOCON sets it.</para>
    /// <para>This is an <see cref="IServiceCollection"/> extension rather than an <see cref="AkkaConfigurationBuilder"/>
    /// one because the builder's delegate runs after the container is built, too late to register injectable services.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already registered.</exception>
    /// <exception cref="InvalidOperationException">No actor system is registered yet.</exception>
    public static IServiceCollection AddActorPool(this IServiceCollection services, string name, Action<WorkerPoolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var registrations = RegisterShared(services);
        if (!registrations.Add(name))
        {
            throw new ArgumentException($"A pool named '{name}' is already registered.", nameof(name));
        }

        services.AddOptions<WorkerPoolOptions>(name).ValidateOnStart();
        services.AddSingleton<IConfigureOptions<WorkerPoolOptions>>(sp => new ConfigurationLayer(name, sp.GetService<IConfiguration>()));
        if (configure is not null)
        {
            services.Configure(name, configure);
        }

        services.AddSingleton<IPostConfigureOptions<WorkerPoolOptions>>(sp => new TaskLogging(name, sp.GetService<ILoggerFactory>()));
        services.AddSingleton<IValidateOptions<WorkerPoolOptions>>(new WorkerPoolOptionsValidator(name));
        services.AddKeyedSingleton<IWorkerPool>(name, (sp, _) => sp.GetRequiredService<HostedPools>().Get(name));
        services.TryAddSingleton<IWorkerPool>(sp => sp.GetRequiredKeyedService<IWorkerPool>(name));
        return services;
    }

    private static ActorPoolRegistrations RegisterShared(IServiceCollection services)
    {
        if (services.FirstOrDefault(d => d.ServiceType == typeof(ActorPoolRegistrations))?.ImplementationInstance is ActorPoolRegistrations existing)
        {
            return existing;
        }

        var builder = services.LastOrDefault(d => d.ServiceType == typeof(AkkaConfigurationBuilder));
        if (builder is null && !services.Any(d => d.ServiceType == typeof(ActorSystem)))
        {
            throw new InvalidOperationException(
                "AddActorPool needs an ActorSystem in the container: call services.AddAkka(...) before it (in a TestKit test, register the test's Sys as ActorSystem).");
        }

        var registrations = new ActorPoolRegistrations();
        services.AddSingleton(registrations);
        services.AddOptions();
        services.AddSingleton(sp => new HostedPools(sp, registrations));
        services.AddTransient<IOptionsFactory<WorkerPoolOptions>>(sp => new WorkerPoolOptionsFactory(
            () => HoconOf(sp),
            sp.GetServices<IConfigureOptions<WorkerPoolOptions>>(),
            sp.GetServices<IPostConfigureOptions<WorkerPoolOptions>>(),
            sp.GetServices<IValidateOptions<WorkerPoolOptions>>()));

        if (builder is not null)
        {
            // Akka.Hosting runs the user's builder delegate inside this factory; extend what it built.
            var buildAkka = builder.ImplementationFactory ?? throw UnknownAkkaHosting(
                $"its {nameof(AkkaConfigurationBuilder)} is registered as {(builder.ImplementationInstance is not null ? "an instance" : "a type")}, not by the factory that runs the AddAkka delegate");
            services.Remove(builder);
            services.AddSingleton(sp =>
            {
                var akka = (AkkaConfigurationBuilder)buildAkka(sp);
                akka.AddHocon(DrainPhaseHocon(akka, sp, registrations), HoconAddMode.Append);
                akka.AddHocon(HostOwnsShutdown, HoconAddMode.Append);
                akka.StartActors((_, _) => sp.GetRequiredService<HostedPools>().StartAll());
                return akka;
            });
        }

        StopAkkaLast(services, expected: builder is not null);
        return registrations;
    }

    /// <summary>Akka.Hosting registered its services in a shape this package does not know: say so at registration, not by a pool that never starts or drains.</summary>
    private static InvalidOperationException UnknownAkkaHosting(string found) => new(
        $"AddActorPool cannot hook into Akka.Hosting {typeof(AkkaHostedService).Assembly.GetName().Version}: {found}. "
        + "ActorPool.Hosting is built for the Akka.Hosting its package depends on; use that version, or register the pool with WorkerPool.Create in your own AkkaConfigurationBuilder.StartActors.");

    /// <summary>
    /// The host stops hosted services in reverse registration order and Akka.Hosting drains the
    /// pools when its own service stops. Moving that service to the front makes it start first
    /// and stop last, so every other hosted service, even one registered before <c>AddAkka</c>,
    /// has been asked to stop (and has stopped submitting) before the pools drain.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="expected">Whether Akka.Hosting's builder is registered, so its hosted service must be too.</param>
    private static void StopAkkaLast(IServiceCollection services, bool expected)
    {
        var akka = services.FirstOrDefault(d => d.ServiceType == typeof(IHostedService)
            && d.ImplementationType is { } type && typeof(AkkaHostedService).IsAssignableFrom(type));
        if (akka is null && expected)
        {
            throw UnknownAkkaHosting($"no {nameof(IHostedService)} of type {nameof(AkkaHostedService)} is registered beside its {nameof(AkkaConfigurationBuilder)}, so the pools could not be drained last");
        }

        var first = services.FirstOrDefault(d => d.ServiceType == typeof(IHostedService));
        if (akka is not null && !ReferenceEquals(akka, first))
        {
            services.Remove(akka);
            services.Insert(services.IndexOf(first!), akka);
        }
    }

    private static Config HoconOf(IServiceProvider sp) =>
        sp.GetService<AkkaConfigurationBuilder>() is { } akka
            ? akka.Configuration.GetOrElse(Config.Empty)
            : sp.GetService<ActorSystem>()?.Settings.Config ?? Config.Empty;

    /// <summary>Akka's default phase timeout (5 s) would cut a pool's drain short; append one that fits the longest drain.</summary>
    private static Config DrainPhaseHocon(AkkaConfigurationBuilder akka, IServiceProvider sp, ActorPoolRegistrations registrations)
    {
        var hocon = akka.Configuration.GetOrElse(Config.Empty);
        var factory = new WorkerPoolOptionsFactory(() => hocon, sp.GetServices<IConfigureOptions<WorkerPoolOptions>>(), [], []);
        var longest = TimeSpan.Zero;
        foreach (var name in registrations.Names)
        {
            try
            {
                var timeout = factory.Create(name).ShutdownTimeout;
                longest = timeout > longest ? timeout : longest;
            }
            catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException or ArgumentException)
            {
                // Start-up validation reports it with the key and the value.
            }
        }

        var phase = (long)(longest + PhaseMargin).TotalMilliseconds;
        return ConfigurationFactory.ParseString(string.Create(CultureInfo.InvariantCulture, $"akka.coordinated-shutdown.phases.service-requests-done.timeout = {phase}ms"));
    }
}
