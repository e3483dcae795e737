using System.Diagnostics;
using ActorPool.Work;

namespace ActorPool.Diagnostics;

/// <summary>
/// Traces task runs on the <see cref="ActorPoolDiagnostics.ActivitySourceName"/> source: one span
/// per run that starts when the task was accepted, with the queue wait and the run as separate
/// timings, linked to the activity that submitted it. Costs one check per task when nobody listens.
/// </summary>
internal static class PoolTracing
{
    /// <summary>The span's name.</summary>
    public const string SpanName = "actorpool.task";

    private static readonly ActivitySource Source = new(
        ActorPoolDiagnostics.ActivitySourceName,
        typeof(PoolTracing).Assembly.GetName().Version?.ToString());

    public static bool IsListening => Source.HasListeners();

    /// <summary>Remembers who submitted the task, so its span can link to it.</summary>
    public static void CaptureSubmitter(WorkItem item) => item.Trace = Activity.Current;

    /// <summary>Starts the span of a run; the caller makes it current only inside the task's own context.</summary>
    public static Activity? StartRun(WorkItem item, string pool, DateTimeOffset acceptedAt, TimeSpan queueWait)
    {
        var submitter = item.Trace is { } parent && parent.Source != Source ? parent : null;
        var links = submitter is null ? null : new[] { new ActivityLink(submitter.Context) };
        var previous = Activity.Current;
        var span = Source.CreateActivity(SpanName, ActivityKind.Internal, parentContext: default, tags: null, links: links);
        if (span is null)
        {
            return null;
        }

        span.SetStartTime(acceptedAt.UtcDateTime);
        span.SetTag("actorpool.pool", pool);
        span.SetTag("actorpool.task.id", item.Id);
        span.SetTag("actorpool.task.key", item.Key);
        span.SetTag("actorpool.task.attempt", item.Attempts);
        span.SetTag("actorpool.task.queue_wait_ms", queueWait.TotalMilliseconds);
        span.Start();
        Activity.Current = previous; // started, but current only inside the task
        item.Trace = span;
        return span;
    }

    /// <summary>Ends the run's span, if it has one, with the task's outcome.</summary>
    public static void End(WorkItem item, TimeSpan ran, DateTimeOffset endedAt)
    {
        if (item.Trace is not { } span || span.Source != Source || span.IsStopped)
        {
            return;
        }

        span.SetTag("actorpool.task.run_ms", ran.TotalMilliseconds);
        span.SetTag("actorpool.outcome", item.Outcome.ToString());
        if (item.Outcome is TaskOutcome.Failed or TaskOutcome.TimedOut)
        {
            span.SetStatus(ActivityStatusCode.Error, item.Error?.Message);
        }

        span.SetEndTime(endedAt.UtcDateTime);
        var previous = Activity.Current;
        span.Stop();
        Activity.Current = previous == span ? span.Parent : previous;
        item.Trace = null;
    }
}
