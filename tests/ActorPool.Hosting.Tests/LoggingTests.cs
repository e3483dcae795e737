using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using LogEvent = Serilog.Events.LogEvent;

namespace ActorPool.Hosting.Tests;

public sealed class LoggingTests
{
    [Fact]
    public async Task Pool_and_akka_events_must_reach_serilog_as_structured_events_with_stable_names()
    {
        var sink = new CollectingSink();
        var builder = TestHosts.NewBuilder();
        builder.Services.AddSerilog(log => log.MinimumLevel.Debug().WriteTo.Sink(sink));
        builder.Services.AddAkka("logging-tests", akka => akka.ConfigureLoggers(loggers =>
        {
            loggers.LogLevel = LogLevel.InfoLevel;
            loggers.ClearLoggers();
            loggers.AddLoggerFactory();
        }));
        builder.Services.AddActorPool("mail", o => o.Workers = 1);
        using var host = builder.Build();
        await host.StartAsync();
        var pool = host.Services.GetRequiredKeyedService<IWorkerPool>("mail");

        var ok = await pool.SubmitAsync(_ => Task.CompletedTask);
        var bad = await pool.SubmitAsync(_ => throw new InvalidOperationException("smtp said no"));
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);
        host.Services.GetRequiredService<ActorSystem>().Log.Warning("routed through {0}", "Microsoft.Extensions.Logging");
        await host.StopAsync();

        var started = Assert.Single(sink.Named("PoolStarted"));
        Assert.Equal(LogEventLevel.Information, started.Level);
        Assert.Equal("mail", Scalar(started, "Pool"));
        Assert.Equal(1, Scalar(started, "Workers"));

        var succeeded = Assert.Single(sink.Named("TaskSucceeded"));
        Assert.Equal(LogEventLevel.Debug, succeeded.Level);
        Assert.Equal(ok, Scalar(succeeded, "TaskId"));
        Assert.Equal("mail", Scalar(succeeded, "Pool"));
        Assert.Equal(1, Scalar(succeeded, "Attempts"));
        Assert.Equal(TaskOutcome.Succeeded.ToString(), Scalar(succeeded, "Outcome")?.ToString());
        Assert.IsType<double>(Scalar(succeeded, "DurationMs"));

        var failed = Assert.Single(sink.Named("TaskFailed"));
        Assert.Equal(LogEventLevel.Warning, failed.Level);
        Assert.Equal(bad, Scalar(failed, "TaskId"));
        Assert.Equal(TaskOutcome.Failed.ToString(), Scalar(failed, "Outcome")?.ToString());
        Assert.Equal("InvalidOperationException: smtp said no", Scalar(failed, "Error"));
        Assert.IsType<InvalidOperationException>(failed.Exception);

        var stopped = Assert.Single(sink.Named("PoolStopped"));
        Assert.Equal(2L, Scalar(stopped, "Submitted"));
        Assert.Equal(1L, Scalar(stopped, "Succeeded"));
        Assert.Equal(1L, Scalar(stopped, "Failed"));

        // Happy path: nothing per task above Debug.
        Assert.DoesNotContain(sink.Events, e => e.Level > LogEventLevel.Debug && Scalar(e, "TaskId") is long id && id == ok);

        // Akka's own logging arrives through the host's logger factory, not through stdout.
        Assert.Contains(sink.Events, e => e.RenderMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("routed through", StringComparison.Ordinal)
            && Scalar(e, "SourceContext") is string source && source.StartsWith("Akka", StringComparison.Ordinal));
    }

    private static object? Scalar(LogEvent e, string property) =>
        e.Properties.TryGetValue(property, out var value) && value is ScalarValue scalar ? scalar.Value : null;

    private sealed class CollectingSink : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();

        public IReadOnlyCollection<LogEvent> Events => _events;

        public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

        public IEnumerable<LogEvent> Named(string eventName) =>
            _events.Where(e => e.Properties.TryGetValue("EventId", out var id) && id is StructureValue s
                && s.Properties.Any(p => p.Name == "Name" && p.Value is ScalarValue { Value: string n } && n == eventName));
    }
}
