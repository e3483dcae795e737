using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ActorPool.Cluster;
using Akka.Actor;
using Akka.Serialization;

namespace ActorPool.Serialization;

/// <summary>Marks every message and journal event that leaves the process; bound to <see cref="PoolMessageSerializer"/> in reference.conf.</summary>
internal interface IPoolWireMessage;

/// <summary>
/// Serializes every message of a clustered pool, and every journal event of a durable one, as JSON (System.Text.Json) under a stable string
/// manifest per type, so nothing falls back to Akka's default serializer and the wire format is
/// readable. Actor references travel as their serialized paths.
/// </summary>
/// <remarks>Bound to <see cref="IPoolWireMessage"/> in ActorPool's reference.conf, identifier <see cref="Id"/>.</remarks>
internal sealed class PoolMessageSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer's identifier in <c>akka.actor.serialization-identifiers</c>.</summary>
    public const int Id = 7371;

    private static readonly Dictionary<Type, string> Manifests = new()
    {
        [typeof(SubmitTasks)] = "ap.submit",
        [typeof(TasksAccepted)] = "ap.accepted",
        [typeof(TasksRunning)] = "ap.running",
        [typeof(CancelTasks)] = "ap.cancel",
        [typeof(CancelById)] = "ap.cancel-id",
        [typeof(CancelAnswer)] = "ap.cancel-answer",
        [typeof(CancelRunning)] = "ap.cancel-running",
        [typeof(ListWaiting)] = "ap.list",
        [typeof(PendingList)] = "ap.list-answer",
        [typeof(TasksRefused)] = "ap.refused",
        [typeof(RegisterFront)] = "ap.register",
        [typeof(FrontResubmitted)] = "ap.resubmitted",
        [typeof(FrontRegistered)] = "ap.registered",
        [typeof(TaskOutcomes)] = "ap.outcomes",
        [typeof(RunTasks)] = "ap.run",
        [typeof(TasksRan)] = "ap.ran",
        [typeof(WorkerUp)] = "ap.worker-up",
        [typeof(ClusterFigures)] = "ap.figures",
        [typeof(Durable.TasksJournaled)] = "ap.journal.accepted",
        [typeof(Durable.TasksStarted)] = "ap.journal.started",
        [typeof(Durable.TasksFinished)] = "ap.journal.finished",
        [typeof(Durable.JournalSnapshot)] = "ap.journal.snapshot",
        [typeof(Durable.ScheduleSaved)] = "ap.journal.schedule",
        [typeof(Durable.ScheduleRemoved)] = "ap.journal.schedule-removed",
    };

    private static readonly Dictionary<string, Type> Types = Manifests.ToDictionary(pair => pair.Value, pair => pair.Key);

    private readonly JsonSerializerOptions _json;

    public PoolMessageSerializer(ExtendedActorSystem system)
        : base(system)
    {
        _json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        _json.Converters.Add(new ActorRefConverter(system));
    }

    public override int Identifier => Id;

    /// <summary>Binds the pool's messages to this serializer in <paramref name="system"/>, unless its config did already (reference.conf): Akka would otherwise fall back to its default serializer without a word.</summary>
    public static void Bind(ExtendedActorSystem system)
    {
        if (system.Serialization.FindSerializerForType(typeof(IPoolWireMessage)) is PoolMessageSerializer)
        {
            return;
        }

        var serializer = new PoolMessageSerializer(system);
        system.Serialization.AddSerializer("actor-pool", serializer);
        system.Serialization.AddSerializationMap(typeof(IPoolWireMessage), serializer);
    }

    /// <summary>Every type this serializer writes, for tests that check each round trip.</summary>
    public static IReadOnlyCollection<Type> MessageTypes => Manifests.Keys;

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _json);

    public override object FromBinary(byte[] bytes, string manifest) =>
        Types.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, _json) ?? throw new SerializationException($"A {manifest} message deserialized to null.")
            : throw new SerializationException($"Unknown ActorPool message manifest '{manifest}'.");

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{o.GetType()} is not an ActorPool cluster message.", nameof(o));

    /// <summary>Writes an actor reference as the path remote systems resolve it by.</summary>
    private sealed class ActorRefConverter(ExtendedActorSystem system) : JsonConverter<IActorRef>
    {
        public override IActorRef? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetString() is { Length: > 0 } path ? system.Provider.ResolveActorRef(path) : ActorRefs.Nobody;

        public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Akka.Serialization.Serialization.SerializedActorPath(value));
    }
}
