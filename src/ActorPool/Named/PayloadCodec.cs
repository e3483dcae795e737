using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorPool.Named;

/// <summary>
/// Turns named tasks' payloads and results into JSON bytes and back (System.Text.Json, web
/// defaults). Everything that may cross to another node or to the journal goes through here, so
/// what works in one process works across a cluster.
/// </summary>
internal static class PayloadCodec
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>The same settings, refusing strings that JSON would change (a lone surrogate becomes U+FFFD).</summary>
    private static readonly JsonSerializerOptions Checking = new(Options) { Converters = { new StrictStringConverter() } };

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

        byte[] bytes, back;
        try
        {
            bytes = JsonSerializer.SerializeToUtf8Bytes(payload, handler.PayloadType, Checking);
            back = Serialize(Deserialize(bytes, handler.PayloadType), handler.PayloadType);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new ArgumentException(
                $"The {handler.PayloadType.Name} payload of handler '{handler.Name}' cannot be serialized as JSON and back: {ex.Message}",
                nameof(payload),
                ex);
        }

        // Reading back must give the same value: a property without a public setter comes back as its default.
        if (!bytes.AsSpan().SequenceEqual(back))
        {
            throw new ArgumentException(
                $"The {handler.PayloadType.Name} payload of handler '{handler.Name}' does not survive JSON: it is written as {Preview(bytes)} but reads back as {Preview(back)}; give every property a public setter or a constructor parameter.",
                nameof(payload));
        }

        return bytes;
    }

    private static string Preview(byte[] json) => json.Length <= 200 ? Encoding.UTF8.GetString(json) : Encoding.UTF8.GetString(json, 0, 200) + "...";

    /// <summary>A handler's value as <typeparamref name="T"/>: itself when it already is one, else through JSON.</summary>
    public static T? Convert<T>(object? value) => value switch
    {
        T typed => typed,
        null => default,
        _ => JsonSerializer.Deserialize<T>(JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), Options), Options),
    };

    /// <summary>A value read from JSON bytes as <typeparamref name="T"/>.</summary>
    public static T? Decode<T>(byte[]? json) => json is null || json.Length == 0 ? default : JsonSerializer.Deserialize<T>(json, Options);

    /// <summary>Writes strings as the default converter does, but refuses one that is not valid UTF-16.</summary>
    private sealed class StrictStringConverter : JsonConverter<string>
    {
        private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString();

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(Valid(value));

        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString()!;

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(Valid(value));

        private static string Valid(string value)
        {
            try
            {
                _ = Strict.GetByteCount(value);
                return value;
            }
            catch (EncoderFallbackException ex)
            {
                throw new ArgumentException($"The string at index {ex.Index} holds a lone surrogate (U+{(int)(ex.CharUnknown != default ? ex.CharUnknown : ex.CharUnknownHigh):X4}), which JSON would turn into U+FFFD.", ex);
            }
        }
    }
}
