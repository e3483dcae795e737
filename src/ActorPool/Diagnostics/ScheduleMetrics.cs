using System.Diagnostics.Metrics;

namespace ActorPool.Diagnostics;

/// <summary>A pool's schedules on the <c>ActorPool</c> meter: how many, when each runs next, and its runs, late runs and skipped occurrences.</summary>
internal sealed class ScheduleMetrics : IDisposable
{
    private const string ScheduleTag = "actorpool.schedule";

    private readonly Meter _meter;

    public ScheduleMetrics(string poolName, Func<IReadOnlyList<ScheduleInfo>> schedules)
    {
        var pool = new KeyValuePair<string, object?>(PoolMetrics.PoolTag, poolName);
        _meter = new Meter(PoolMetrics.MeterName, typeof(ScheduleMetrics).Assembly.GetName().Version?.ToString());
        _meter.CreateObservableGauge("actorpool.schedules", () => new Measurement<long>(schedules().Count, pool), "{schedule}", "Recurring tasks the pool has.");
        _meter.CreateObservableGauge("actorpool.schedule.next_run", () => Each(schedules(), pool, s => s.NextRun?.ToUnixTimeSeconds()), "s", "Each schedule's next occurrence, in Unix seconds.");
        _meter.CreateObservableCounter("actorpool.schedule.runs", () => Each(schedules(), pool, s => s.Fires), "{run}", "Runs each schedule started.");
        _meter.CreateObservableCounter("actorpool.schedule.late_runs", () => Each(schedules(), pool, s => s.LateFires), "{run}", "Runs that started more than a second after their occurrence.");
        _meter.CreateObservableCounter("actorpool.schedule.skipped", () => Each(schedules(), pool, s => s.SkippedFires), "{occurrence}", "Occurrences that did not run (overlap, misfire).");
    }

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> Each(IReadOnlyList<ScheduleInfo> schedules, KeyValuePair<string, object?> pool, Func<ScheduleInfo, long?> value)
    {
        foreach (var schedule in schedules)
        {
            if (value(schedule) is { } measured)
            {
                yield return new Measurement<long>(measured, pool, new KeyValuePair<string, object?>(ScheduleTag, schedule.Id));
            }
        }
    }
}
