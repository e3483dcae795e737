using Cronos;

namespace ActorPool.Schedules;

/// <summary>
/// One recurring task, checked: its parsed cron expression and time zone, what each run calls
/// (a handler and its JSON payload, or a closure) and the options every run gets.
/// </summary>
internal sealed class ScheduleDefinition
{
    private ScheduleDefinition(string id, string cron, CronExpression expression, TimeZoneInfo zone, ScheduleOptions options)
    {
        Id = id;
        Cron = cron;
        Expression = expression;
        Zone = zone;
        Options = options;
    }

    public string Id { get; }

    public string Cron { get; }

    public CronExpression Expression { get; }

    public TimeZoneInfo Zone { get; }

    public ScheduleOptions Options { get; }

    /// <summary>The handler each run calls; null for a closure.</summary>
    public string? Handler { get; private init; }

    /// <summary>The handler's payload as JSON.</summary>
    public byte[]? Payload { get; private init; }

    /// <summary>The closure each run calls, for a local pool.</summary>
    public Func<CancellationToken, Task>? Closure { get; private init; }

    /// <summary>Checks a schedule of a named task.</summary>
    /// <exception cref="ArgumentException">The id, cron expression, time zone or an option is invalid; the message names it.</exception>
    public static ScheduleDefinition Named(string id, string cron, string handler, byte[] payload, ScheduleOptions? options) =>
        new(CheckId(id), cron, ParseCron(cron), FindZone(options), CheckOptions(options)) { Handler = handler, Payload = payload };

    /// <summary>Checks a schedule of a closure.</summary>
    /// <exception cref="ArgumentException">As for <see cref="Named"/>.</exception>
    public static ScheduleDefinition OfClosure(string id, string cron, Func<CancellationToken, Task> closure, ScheduleOptions? options) =>
        new(CheckId(id), cron, ParseCron(cron), FindZone(options), CheckOptions(options)) { Closure = closure };

    /// <summary>The schedule as a journal keeps it; only a named task's can be kept.</summary>
    public Durable.DurableSchedule ToDurable() => new(
        Id, Cron, Zone == TimeZoneInfo.Utc ? null : Zone.Id, Handler!, Payload!, Options.Overlap, Options.Misfire, Options.MisfireThreshold.Ticks, Cluster.WireOptions.From(Options.Task));

    /// <summary>A schedule read back from a journal.</summary>
    /// <exception cref="ArgumentException">It no longer parses here (an unknown time zone on this machine).</exception>
    public static ScheduleDefinition FromDurable(Durable.DurableSchedule schedule) => Named(schedule.Id, schedule.Cron, schedule.Handler, schedule.Payload, new ScheduleOptions
    {
        TimeZone = schedule.TimeZone,
        Overlap = schedule.Overlap,
        Misfire = schedule.Misfire,
        MisfireThreshold = TimeSpan.FromTicks(schedule.MisfireThresholdTicks),
        Task = schedule.Task?.ToTaskOptions(),
    });

    /// <summary>The first occurrence after <paramref name="time"/>, in UTC; null when there is none.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset time) => Expression.GetNextOccurrence(time, Zone)?.ToUniversalTime();

    /// <summary>Whether <paramref name="other"/> has the same occurrences.</summary>
    public bool SameTimes(ScheduleDefinition other) => Cron == other.Cron && Zone.Id == other.Zone.Id;

    /// <summary>What a run calls, as a user reads it.</summary>
    public string Describe() => Handler is null ? "a closure" : $"handler '{Handler}'";

    private static string CheckId(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        TaskOptions.CheckKey(id, nameof(id));
        return id;
    }

    /// <summary>Five fields, or six with seconds first; <c>@daily</c> and the other macros too.</summary>
    private static CronExpression ParseCron(string cron)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cron);
        var fields = cron.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        try
        {
            return CronExpression.Parse(cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException error)
        {
            throw new ArgumentException($"'{cron}' is not a valid cron expression (five fields, or six with seconds first): {error.Message}", nameof(cron), error);
        }
    }

    private static TimeZoneInfo FindZone(ScheduleOptions? options)
    {
        if (options?.TimeZone is not { } id)
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception error) when (error is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ArgumentException($"{nameof(ScheduleOptions)}.{nameof(ScheduleOptions.TimeZone)} '{id}' is not a time zone this machine knows (give an IANA id such as 'Europe/Berlin', or 'UTC').", nameof(options), error);
        }
    }

    private static ScheduleOptions CheckOptions(ScheduleOptions? options)
    {
        options ??= new ScheduleOptions();
        if (options.MisfireThreshold < TimeSpan.Zero || options.MisfireThreshold > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MisfireThreshold, $"{nameof(ScheduleOptions)}.{nameof(ScheduleOptions.MisfireThreshold)} must be from 0 to one day, was: {options.MisfireThreshold}.");
        }

        if (!Enum.IsDefined(options.Overlap) || !Enum.IsDefined(options.Misfire))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"{nameof(ScheduleOptions)}.{nameof(ScheduleOptions.Overlap)} ({options.Overlap}) or {nameof(ScheduleOptions.Misfire)} ({options.Misfire}) is not a defined value.");
        }

        if (options.Task is { } task)
        {
            var taken = (task.Id, task.Key, task.DeduplicationWindow, task.NotBefore, task.Delay) switch
            {
                ({ }, _, _, _, _) => nameof(TaskOptions.Id),
                (_, { }, _, _, _) => nameof(TaskOptions.Key),
                (_, _, { }, _, _) => nameof(TaskOptions.DeduplicationWindow),
                (_, _, _, { }, _) => nameof(TaskOptions.NotBefore),
                (_, _, _, _, { }) => nameof(TaskOptions.Delay),
                _ => null,
            };
            if (taken is not null)
            {
                throw new ArgumentException($"{nameof(ScheduleOptions)}.{nameof(ScheduleOptions.Task)}.{taken} cannot be set: a schedule gives each run its own time and key.", nameof(options));
            }

            task.Validate();
        }

        return options;
    }
}
