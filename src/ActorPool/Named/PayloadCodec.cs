using System.Text.Json;

namespace ActorPool.Named;

/// <summary>
/// Turns named tasks' payloads and results into JSON bytes and back (System.Text.Json, web
/// defaults). Everything that may cross to another node or to the journal goes through here, so
/// what works in one process works across a cluster.
/// </summary>
internal static class PayloadCodec
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static byte[] Serialize(object? value, Type type) => JsonSerializer.SerializeToUtf8Bytes(value, type, Options);

    public static object? Deserialize(ReadOnlySpan<byte> json, Type type) => JsonSerializer.Deserialize(json, type, Options);

    /// <summary>
    /// Serializes a payload for <paramref name="handler"/> and reads it back, so a payload that
    /// would fail on the way to a worker fails at submit instead, with the reason.
    /// </summary>
    /// <exception cref="ArgumentException">The payload is of the wrong type, or does not serialize and deserialize; the message says why.</exception>
    public static byte[] EncodePayload(TaskHandler handler, object? payload)
    {
        if (payload is null ? handler.PayloadType.IsValueType && Nullable.GetUnderlyingType(handler.PayloadType) is null : !handler.PayloadType.IsInstanceOfType(payload))
        {
            throw new ArgumentException(
                $"The handler '{handler.Name}' takes a {handler.PayloadType.Name} payload, was: {(payload is null ? "null" : payload.GetType().Name)}.",
                nameof(payload));
        }

        try
        {
            var bytes = Serialize(payload, handler.PayloadType);
            _ = Deserialize(bytes, handler.PayloadType);
            return bytes;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new ArgumentException(
                $"The {handler.PayloadType.Name} payload of handler '{handler.Name}' cannot be serialized as JSON and back: {ex.Message}",
                nameof(payload),
                ex);
        }
    }

    /// <summary>A handler's value as <typeparamref name="T"/>: itself when it already is one, else through JSON.</summary>
    public static T? Convert<T>(object? value) => value switch
    {
        T typed => typed,
        null => default,
        _ => JsonSerializer.Deserialize<T>(JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), Options), Options),
    };

    /// <summary>A value read from JSON bytes as <typeparamref name="T"/>.</summary>
    public static T? Decode<T>(byte[]? json) => json is null || json.Length == 0 ? default : JsonSerializer.Deserialize<T>(json, Options);
}
