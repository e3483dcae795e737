using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using ActorPool.Cli.Web;
using ActorPool.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Events;

namespace ActorPool.Cli.Commands;

/// <summary>
/// <c>actorpool serve</c>: runs a pool in a generic host with Serilog logs and a synthetic load
/// until Ctrl+C or SIGTERM, drains it through CoordinatedShutdown and prints a summary.
/// </summary>
/// <remarks>
/// Exit codes: 0 after a clean shutdown (Ctrl+C and SIGTERM are the normal way to stop a
/// service), 2 on bad usage or invalid configuration (the message names the key and value).
/// </remarks>
internal static class ServeCommand
{
    /// <summary>The recurring task of <c>--schedule</c>: its schedule id and handler.</summary>
    public const string HeartbeatHandler = "heartbeat";

    /// <summary>What stderr says at each run of the <c>--schedule</c> task.</summary>
    public const string HeartbeatLine = "actorpool serve: heartbeat ran";

    /// <summary>What stdout says once the host runs and the pool has accepted work; scripts and tests wait for it.</summary>
    public const string ReadyLine = "actorpool serve: ready";

    public static Command Create(TextWriter output)
    {
        var config = new Option<FileInfo>("--config", "-c")
        {
            Description = "A HOCON file with an actor-pool { } section (see hocon/service.conf); without it, the embedded defaults.",
        };
        config.AcceptExistingOnly();
        var pool = new Option<string>("--pool")
        {
            Description = "The pool's name: its configuration key ActorPool:<name> and its metrics tag.",
            DefaultValueFactory = _ => "serve",
        };
        var interval = NumericOption.Int("--interval-ms", "How often the synthetic load submits a task, in milliseconds (0 = no load).", 100, 0, RunCommand.MaxDelayMs);
        var delay = NumericOption.Int("--delay-ms", "How long each synthetic task waits, in milliseconds.", 200, 0, RunCommand.MaxDelayMs);
        var dashboard = DashboardServer.Option();
        var schedule = new Option<string>("--schedule")
        {
            Description = "A cron expression (five fields, or six with seconds first) for a recurring 'heartbeat' task; each run prints a line to stderr.",
        };

        var command = new Command("serve", "Run a pool in a generic host with a synthetic load until Ctrl+C or SIGTERM, then drain it and print a summary.")
        {
            config, pool, interval, delay, dashboard, schedule,
        };
        command.SetAction((parse, cancellationToken) => ServeAsync(
            new ServeSettings(parse.GetValue(config)?.FullName, parse.GetValue(pool)!, parse.GetValue(interval), parse.GetValue(delay), parse.GetValue(dashboard), parse.GetValue(schedule)),
            output,
            cancellationToken));
        return command;
    }

    /// <summary>Runs the host until <paramref name="cancellationToken"/> fires (or the host stops itself); returns the exit code.</summary>
    internal static async Task<int> ServeAsync(ServeSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        Config? hocon;
        try
        {
            hocon = settings.ConfigPath is null ? null : ConfigurationFactory.ParseString(await File.ReadAllTextAsync(settings.ConfigPath, cancellationToken));
        }
        catch (ConfigurationException ex)
        {
            await Console.Error.WriteLineAsync($"{settings.ConfigPath}: {ex.Message}");
            return ExitCodes.BadUsage;
        }

        // With the dashboard, the same host is a web app: one container, one actor system, one pool.
        IHostApplicationBuilder builder = settings.Dashboard is not null
            ? WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] })
            : Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);

        // Logs go to stderr so stdout carries only the ready lines and the summary; a failed task's
        // exception shows as its message (the event's Error), never as a stack trace.
        builder.Services.AddSerilog(log => log
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}", standardErrorFromLevel: LogEventLevel.Verbose, formatProvider: CultureInfo.InvariantCulture));
        builder.Services.AddAkka("actorpool", akka =>
        {
            akka.ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            });
            if (hocon is not null)
            {
                akka.AddHocon(hocon, HoconAddMode.Prepend);
            }
        });
        var load = new SyntheticLoad(TimeSpan.FromMilliseconds(settings.IntervalMs), TimeSpan.FromMilliseconds(settings.DelayMs), named: settings.Dashboard is not null);
        builder.Services.AddActorPool(settings.Pool, o =>
        {
            load.Register(o.Handlers);
            if (settings.Schedule is { } cron)
            {
                o.Handlers.Add<int>(HeartbeatHandler, (_, _) => Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{HeartbeatLine} at {DateTimeOffset.UtcNow:HH:mm:ss.fff}")));
                o.Schedules[HeartbeatHandler] = new ScheduleDeclaration { Cron = cron, Handler = HeartbeatHandler, Payload = "0" };
            }
        });
        if (settings.IntervalMs > 0)
        {
            builder.Services.AddHostedService(sp => load.Attach(sp.GetRequiredKeyedService<IWorkerPool>(settings.Pool)));
        }

        using var host = Build(builder, settings.Dashboard);
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return ExitCodes.BadUsage;
        }
        catch (IOException ex) when (settings.Dashboard is { } endpoint)
        {
            await Console.Error.WriteLineAsync($"actorpool serve: {DashboardServer.Describe(endpoint, ex)}");
            return ExitCodes.BadUsage;
        }

        var pool = host.Services.GetRequiredKeyedService<IWorkerPool>(settings.Pool);
        var clock = Stopwatch.StartNew();
        if (settings.IntervalMs > 0)
        {
            await load.FirstAccepted.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await output.WriteLineAsync($"{ReadyLine} (pool {settings.Pool}, {pool.Workers} workers, pid {Environment.ProcessId})");
        if (host is WebApplication web)
        {
            await output.WriteLineAsync($"{DashboardServer.ReadyLine}{DashboardServer.Url(web)} (metrics at {DashboardServer.Url(web).Replace("/actorpool/", "/metrics", StringComparison.Ordinal)})");
        }

        foreach (var schedule in pool.Schedules.List())
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"actorpool serve: schedule {schedule.Id} '{schedule.Cron}' ({schedule.TimeZone}), next run {schedule.NextRun:yyyy-MM-dd HH:mm:ss}Z"));
        }

        await output.FlushAsync(CancellationToken.None);

        // Returns once the host has stopped, i.e. after CoordinatedShutdown drained the pool.
        await host.WaitForShutdownAsync(cancellationToken);
        clock.Stop();

        WriteSummary(output, settings.Pool, pool.GetStats(), clock.Elapsed);
        foreach (var schedule in pool.Schedules.List())
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  schedule {schedule.Id}: {schedule.Fires} runs, {schedule.LateFires} late, {schedule.SkippedFires} skipped"));
        }

        await output.FlushAsync(CancellationToken.None);
        return ExitCodes.Success;
    }

    private static IHost Build(IHostApplicationBuilder builder, IPEndPoint? dashboard)
    {
        if (builder is not WebApplicationBuilder web || dashboard is null)
        {
            return ((HostApplicationBuilder)builder).Build();
        }

        web.AddDashboard(dashboard);
        var app = web.Build();
        app.MapDashboard();
        return app;
    }

    private static void WriteSummary(TextWriter output, string pool, PoolStats stats, TimeSpan uptime)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"ActorPool serve: pool {pool} stopped after {uptime.TotalSeconds:F1} s"));
        output.WriteLine(string.Create(c, $"  submitted      {stats.Submitted,10}"));
        output.WriteLine(string.Create(c, $"  succeeded      {stats.Succeeded,10}"));
        output.WriteLine(string.Create(c, $"  failed         {stats.Failed,10}"));
        output.WriteLine(string.Create(c, $"  cancelled      {stats.Cancelled,10}"));
        output.WriteLine(string.Create(c, $"  timed out      {stats.TimedOut,10}"));
        output.WriteLine(string.Create(c, $"  dropped        {stats.Dropped,10}"));
        output.WriteLine(string.Create(c, $"  rejected       {stats.Rejected,10}"));
    }

    /// <summary>
    /// Submits a synthetic task every interval until the host stops. With the dashboard they are
    /// named tasks (<see cref="HandlerName"/>), and one in ten fails on its first run the way a
    /// flaky downstream does, so there is a failed task to open and retry from the page.
    /// </summary>
    private sealed class SyntheticLoad(TimeSpan interval, TimeSpan delay, bool named) : BackgroundService
    {
        public const string HandlerName = "synthetic";

        private readonly TaskCompletionSource _firstAccepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly HashSet<int> _failedOnce = [];
        private IWorkerPool? _pool;
        private int _next;

        public void Register(TaskHandlerRegistry handlers) => handlers.Add<int>(HandlerName, RunAsync);

        public Task FirstAccepted => _firstAccepted.Task;

        public SyntheticLoad Attach(IWorkerPool pool)
        {
            _pool = pool;
            return this;
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var pool = _pool ?? throw new InvalidOperationException("The load was never attached to a pool.");
            using var timer = new PeriodicTimer(interval);
            try
            {
                do
                {
                    var accepted = named
                        ? await TrySubmitNamedAsync(pool, ++_next, stoppingToken)
                        : await pool.TrySubmitAsync(ct => Task.Delay(delay, ct));
                    if (accepted)
                    {
                        _firstAccepted.TrySetResult();
                    }
                }
                while (await timer.WaitForNextTickAsync(stoppingToken));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // The host is stopping; the pool drains what was accepted.
            }
        }

        private static async Task<bool> TrySubmitNamedAsync(IWorkerPool pool, int n, CancellationToken stoppingToken)
        {
            try
            {
                // A full queue makes the load wait for room: backpressure, not a lost task.
                await pool.SubmitAsync(HandlerName, n, cancellationToken: stoppingToken);
                return true;
            }
            catch (SubmitRejectedException)
            {
                return false; // stopping, or the circuit is open: the next tick tries again
            }
        }

        private async Task RunAsync(int n, CancellationToken token)
        {
            await Task.Delay(delay, token);
            bool first;
            lock (_failedOnce)
            {
                first = n % 10 == 7 && _failedOnce.Add(n);
            }

            if (first)
            {
                throw new InvalidOperationException($"synthetic task {n}: the downstream service answered 503 (a retry succeeds)");
            }
        }
    }
}

/// <summary>The validated command line of <c>actorpool serve</c>.</summary>
internal sealed record ServeSettings(string? ConfigPath, string Pool, int IntervalMs, int DelayMs, IPEndPoint? Dashboard = null, string? Schedule = null);
