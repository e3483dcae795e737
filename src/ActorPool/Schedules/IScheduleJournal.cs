using ActorPool.Durable;

namespace ActorPool.Schedules;

/// <summary>Where a durable pool keeps its schedules: read back once at the start, told of every change.</summary>
internal interface IScheduleJournal
{
    /// <summary>The schedules read back, each with the newest occurrence that ran; completes once the journal is read.</summary>
    Task<IReadOnlyList<DurableSchedule>> ReadAsync();

    void Saved(DurableSchedule schedule);

    void Removed(string id);
}
