using System.Globalization;
using ActorPool;
using ActorPool.Hosting;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// README's generic-host sample as a real process, for the tests that stop it with a signal:
// a BackgroundService submits until its token fires, and nothing here opts out of Akka's
// defaults, so the process shows what AddActorPool does on its own.
// With --sender-first the sender is registered before AddAkka, so the host would stop it after Akka.
var senderFirst = args.Contains("--sender-first");
var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders().AddFilter("Microsoft", LogLevel.Warning);
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Services.AddSingleton<MailSender>();
if (senderFirst)
{
    builder.Services.AddHostedService(sp => sp.GetRequiredService<MailSender>());
}

builder.Services.AddAkka("orders", akka => akka.ConfigureLoggers(loggers =>
{
    loggers.ClearLoggers();
    loggers.AddLoggerFactory();
}));
builder.Services.AddActorPool("mail", options =>
{
    options.Workers = 2;
    options.QueueSize = 4;
});
if (!senderFirst)
{
    builder.Services.AddHostedService(sp => sp.GetRequiredService<MailSender>());
}

using var host = builder.Build();
await host.StartAsync();
await host.WaitForShutdownAsync();

var sender = host.Services.GetRequiredService<MailSender>();
var stats = host.Services.GetRequiredKeyedService<IWorkerPool>("mail").GetStats();
var c = CultureInfo.InvariantCulture;
Console.WriteLine(string.Create(c, $"accepted {sender.Accepted}"));
Console.WriteLine(string.Create(c, $"completed {sender.Completed}"));
Console.WriteLine(string.Create(c, $"succeeded {stats.Succeeded} failed {stats.Failed} cancelled {stats.Cancelled} timed-out {stats.TimedOut} dropped {stats.Dropped} rejected {stats.Rejected}"));

/// <summary>Submits a short task in a loop until the host asks it to stop.</summary>
internal sealed class MailSender([FromKeyedServices("mail")] IWorkerPool pool) : BackgroundService
{
    private long _accepted;
    private long _completed;

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Completed => Interlocked.Read(ref _completed);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await pool.SubmitAsync(
                    async ct =>
                    {
                        await Task.Delay(20, ct);
                        Interlocked.Increment(ref _completed);
                    },
                    stoppingToken);
                if (Interlocked.Increment(ref _accepted) == 1)
                {
                    Console.WriteLine("ready");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Asked to stop while waiting for queue room: that submit was not accepted.
        }
    }
}
