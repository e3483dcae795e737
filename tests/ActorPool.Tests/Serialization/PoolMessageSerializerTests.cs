using ActorPool.Cluster;
using ActorPool.Durable;
using ActorPool.Serialization;
using Akka.Actor;
using Akka.Configuration;

namespace ActorPool.Tests.Serialization;

public sealed class PoolMessageSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));

    public static TheoryData<string> MessageTypes => [.. PoolMessageSerializer.MessageTypes.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(MessageTypes))]
    public void Every_message_and_journal_event_must_round_trip_through_its_manifest(string typeName)
    {
        var serializer = new PoolMessageSerializer((ExtendedActorSystem)_system);
        var message = Sample(typeName);

        var manifest = serializer.Manifest(message);
        var copy = serializer.FromBinary(serializer.ToBinary(message), manifest);

        Assert.StartsWith("ap.", manifest, StringComparison.Ordinal);
        Assert.Equal(Json(serializer, message), Json(serializer, copy));
    }

    [Fact]
    public void An_unknown_manifest_must_fail_naming_it()
    {
        var serializer = new PoolMessageSerializer((ExtendedActorSystem)_system);

        var error = Assert.ThrowsAny<Exception>(() => serializer.FromBinary([], "ap.nope"));

        Assert.Contains("ap.nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_journal_written_before_task_keys_must_still_read_back()
    {
        var serializer = new PoolMessageSerializer((ExtendedActorSystem)_system);
        var before = new TasksJournaled([new DurableTask(3, "h", [5], new WireOptions("id", 1, null, null, null), 0)]);
        var json = Json(serializer, before)
            .Replace(",\"dedupKey\":null", string.Empty, StringComparison.Ordinal)
            .Replace(",\"dedupWindowMs\":null", string.Empty, StringComparison.Ordinal)
            .Replace(",\"concurrencyKey\":null", string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain("dedup", json, StringComparison.OrdinalIgnoreCase);

        var read = (TasksJournaled)serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(json), "ap.journal.accepted");

        var options = Assert.Single(read.Tasks).Options!;
        Assert.Equal(("id", (string?)null, (string?)null), (options.Key, options.DedupKey, options.ConcurrencyKey));
    }

    public void Dispose() => _system.Dispose();

    private static string Json(PoolMessageSerializer serializer, object message) =>
        System.Text.Encoding.UTF8.GetString(serializer.ToBinary(message));

    private static DurableOutcome Finished() => new(3, "key", TaskOutcome.TimedOut, "System.TimeoutException", "late", 12, DateTimeOffset.UnixEpoch, 2, Handler: "h", Payload: [1, 2], RetryOf: 1, QueueWaitSeconds: 0.5f);

    private object Sample(string typeName)
    {
        var actor = _system.DeadLetters;
        var options = new WireOptions("key", 3, 1500, -1, 2, "dedup", 60_000, "tenant-42");
        var outcome = new WireOutcome(7, TaskOutcome.Failed, [1, 2], "System.IO.IOException", "disk", 10, DateTimeOffset.UnixEpoch, 2, true, "akka.tcp://a@h:1");
        return typeName switch
        {
            nameof(SubmitTasks) => new SubmitTasks(actor, 1, 2, [new WireSubmit(0, "h", [3], options, 0)], TellStarts: true),
            nameof(TasksAccepted) => new TasksAccepted(1, [5, 6], [false, true]),
            nameof(ActorPool.Cluster.TasksRunning) => new ActorPool.Cluster.TasksRunning([5, 6]),
            nameof(CancelTasks) => new CancelTasks([7]),
            nameof(CancelById) => new CancelById(7),
            nameof(CancelAnswer) => new CancelAnswer(7, true),
            nameof(CancelRunning) => new CancelRunning(7),
            nameof(ListWaiting) => new ListWaiting(50),
            nameof(PendingList) => new PendingList([new WirePending(7, true, "work", "mail-7", 1, "akka.tcp://sys@host:1")]),
            nameof(TasksRefused) => new TasksRefused(1, RejectionReason.Stopped, "no"),
            nameof(RegisterFront) => new RegisterFront(actor),
            nameof(FrontResubmitted) => new FrontResubmitted(actor),
            nameof(FrontRegistered) => new FrontRegistered("akka.tcp://a@h:1"),
            nameof(TaskOutcomes) => new TaskOutcomes([outcome]),
            nameof(RunTasks) => new RunTasks([new WireTask(1, "h", [4], 1, 100, 3)]),
            nameof(TasksRan) => new TasksRan([outcome]),
            nameof(WorkerUp) => new WorkerUp("akka.tcp://a@h:1"),
            nameof(ClusterFigures) => new ClusterFigures(new Dictionary<string, int> { ["n"] = 2 }, 1, 2, 3, 4, 5, [1, 2, 3, 4, 5], 6, 7, 8, 9, 10, 11),
            nameof(TasksJournaled) => new TasksJournaled([new DurableTask(3, "h", [5], options, 1)], [new ScheduleFired("nightly", DateTimeOffset.UnixEpoch.AddHours(2))]),
            nameof(ScheduleSaved) => new ScheduleSaved(Schedule(options)),
            nameof(ScheduleRemoved) => new ScheduleRemoved("nightly"),
            nameof(TasksStarted) => new TasksStarted([3, 4]),
            nameof(TasksFinished) => new TasksFinished([Finished()]),
            nameof(JournalSnapshot) => new JournalSnapshot(9, [new DurableTask(3, "h", [5], null, 0)], [Finished()], [Finished() with { DedupKey = "dedup", DedupUntil = DateTimeOffset.UnixEpoch.AddDays(1) }], [Schedule(null)]),
            _ => throw new ArgumentException(typeName),
        };
    }

    private static DurableSchedule Schedule(WireOptions? options) =>
        new("nightly", "0 2 * * *", "Europe/Berlin", "report", [7], OverlapPolicy.Queue, MisfirePolicy.Skip, TimeSpan.FromMinutes(1).Ticks, options, DateTimeOffset.UnixEpoch.AddHours(2));
}
