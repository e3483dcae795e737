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

    public void Dispose() => _system.Dispose();

    private static string Json(PoolMessageSerializer serializer, object message) =>
        System.Text.Encoding.UTF8.GetString(serializer.ToBinary(message));

    private static DurableOutcome Finished() => new(3, "key", TaskOutcome.TimedOut, "System.TimeoutException", "late", 12, DateTimeOffset.UnixEpoch, 2);

    private object Sample(string typeName)
    {
        var actor = _system.DeadLetters;
        var options = new WireOptions("key", 3, 1500, -1, 2);
        var outcome = new WireOutcome(7, TaskOutcome.Failed, [1, 2], "System.IO.IOException", "disk", 10, DateTimeOffset.UnixEpoch, 2, true, "akka.tcp://a@h:1");
        return typeName switch
        {
            nameof(SubmitTasks) => new SubmitTasks(actor, 1, 2, [new WireSubmit(0, "h", [3], options, 0)], TellStarts: true),
            nameof(TasksAccepted) => new TasksAccepted(1, [5, 6]),
            nameof(ActorPool.Cluster.TasksRunning) => new ActorPool.Cluster.TasksRunning([5, 6]),
            nameof(CancelTasks) => new CancelTasks([7]),
            nameof(TasksRefused) => new TasksRefused(1, RejectionReason.Stopped, "no"),
            nameof(RegisterFront) => new RegisterFront(actor),
            nameof(FrontRegistered) => new FrontRegistered("akka.tcp://a@h:1"),
            nameof(TaskOutcomes) => new TaskOutcomes([outcome]),
            nameof(RunTasks) => new RunTasks([new WireTask(1, "h", [4], 1, 100, 3)]),
            nameof(TasksRan) => new TasksRan([outcome]),
            nameof(WorkerUp) => new WorkerUp("akka.tcp://a@h:1"),
            nameof(ClusterFigures) => new ClusterFigures(new Dictionary<string, int> { ["n"] = 2 }, 1, 2, 3, 4, 5, [1, 2, 3, 4, 5], 6, 7),
            nameof(TasksJournaled) => new TasksJournaled([new DurableTask(3, "h", [5], options, 1)]),
            nameof(TasksStarted) => new TasksStarted([3, 4]),
            nameof(TasksFinished) => new TasksFinished([Finished()]),
            nameof(JournalSnapshot) => new JournalSnapshot(9, [new DurableTask(3, "h", [5], null, 0)], [Finished()]),
            _ => throw new ArgumentException(typeName),
        };
    }
}
