using Akka.Actor;

namespace ActorPool.Cluster;

/// <summary>
/// Keeps every message of a clustered pool under Akka.Remote's maximum frame size. The transport
/// drops a larger message with a log line and delivers nothing, which would leave its tasks waiting
/// for ever; so batches are cut by their estimated JSON size, and a payload or result that cannot
/// fit on its own is refused by name.
/// </summary>
internal static class WireBudget
{
    /// <summary>The HOCON key that sets the largest message a node sends or takes.</summary>
    public const string FrameSizeKey = "akka.remote.dot-netty.tcp.maximum-frame-size";

    /// <summary>Room for one entry's field names, ids, numbers and options.</summary>
    public const int EntryOverhead = 512;

    private const long DefaultFrameSize = 128_000;

    /// <summary>The largest error message a worker reports; longer ones are cut.</summary>
    public const int MaxErrorMessage = 2_000;

    /// <summary>The frame size the node was configured with.</summary>
    public static long FrameSize(ActorSystem system) =>
        system.Settings.Config.GetByteSize(FrameSizeKey, DefaultFrameSize) ?? DefaultFrameSize;

    /// <summary>What one message may carry: half the frame, since the sizes here are estimates.</summary>
    public static int Of(ActorSystem system) => (int)Math.Clamp(FrameSize(system) / 2, 4 * EntryOverhead, int.MaxValue);

    /// <summary>Bytes as JSON carries them: base64.</summary>
    public static int Size(byte[]? bytes) => bytes is null ? 0 : (bytes.Length + 2) / 3 * 4;

    /// <summary>Text as JSON carries it: a byte for plain ASCII, six for a character the encoder escapes (\uXXXX).</summary>
    public static int Size(string? text)
    {
        var size = 0;
        foreach (var c in text.AsSpan())
        {
            size += c is >= ' ' and < (char)0x7F and not ('"' or '\\' or '<' or '>' or '&' or '\'' or '+' or '`') ? 1 : 6;
        }

        return size;
    }

    /// <summary>A named task as a front submits it: its handler's name, its payload and its id all travel.</summary>
    public static int Size(string handler, byte[] payload, string? id) => EntryOverhead + Size(handler) + Size(payload) + Size(id);

    public static int Size(WireTask task) => EntryOverhead + (3 * task.Handler.Length) + Size(task.Payload);

    public static int Size(WireOutcome outcome) =>
        EntryOverhead + Size(outcome.Result) + (3 * ((outcome.ErrorType?.Length ?? 0) + (outcome.ErrorMessage?.Length ?? 0) + (outcome.Node?.Length ?? 0)));

    /// <summary>Cuts <paramref name="items"/> into batches of at most <paramref name="maxCount"/> entries whose sizes add up to at most <paramref name="budget"/>; an entry is never split.</summary>
    public static IEnumerable<T[]> Chunks<T>(IReadOnlyList<T> items, Func<T, int> size, int budget, int maxCount = int.MaxValue)
    {
        var start = 0;
        var bytes = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var next = size(items[i]);
            if (i > start && (bytes + next > budget || i - start == maxCount))
            {
                yield return Slice(items, start, i);
                start = i;
                bytes = 0;
            }

            bytes += next;
        }

        if (start < items.Count)
        {
            yield return Slice(items, start, items.Count);
        }
    }

    /// <summary>
    /// Refuses a payload or result that cannot travel on its own, naming its size and the key that
    /// sets the limit; null when it fits.
    /// </summary>
    public static string? TooLarge(string what, byte[] json, int budget, long frameSize) =>
        EntryOverhead + Size(json) <= budget
            ? null
            : $"{what} is {json.Length:N0} bytes as JSON, more than a clustered pool's message carries ({(budget - EntryOverhead) * 3 / 4:N0} bytes with {FrameSizeKey} = {frameSize:N0}); pass a reference to the data instead, or raise that key on every node.";

    /// <summary>
    /// Refuses a submit whose id, or whose payload with its id and handler name, cannot travel in one
    /// message; <c>IdTooLarge</c> says which to blame. Null when it fits.
    /// </summary>
    public static (string Message, bool IdTooLarge)? TooLarge(string handler, byte[] payload, string? id, int budget, long frameSize)
    {
        if (Size(handler, payload, id) <= budget)
        {
            return null;
        }

        if (EntryOverhead + Size(handler) + Size(id) > budget / 2)
        {
            return ($"TaskOptions.Id is {id!.Length:N0} characters, more than a clustered pool's message carries beside a payload ({(budget / 2) - EntryOverhead:N0} bytes as JSON with {FrameSizeKey} = {frameSize:N0}); use a shorter id, such as a hash of it.", true);
        }

        return ($"The payload of handler '{handler}' is {payload.Length:N0} bytes as JSON{(id is null ? string.Empty : $" with an id of {id.Length:N0} characters")}, more than a clustered pool's message carries ({(budget - EntryOverhead) * 3 / 4:N0} bytes with {FrameSizeKey} = {frameSize:N0}); pass a reference to the data instead, or raise that key on every node.", false);
    }

    /// <summary>An error message short enough to travel.</summary>
    public static string? Cut(string? message) =>
        message is { Length: > MaxErrorMessage } ? string.Concat(message.AsSpan(0, MaxErrorMessage), "…") : message;

    private static T[] Slice<T>(IReadOnlyList<T> items, int from, int to)
    {
        var slice = new T[to - from];
        for (var i = from; i < to; i++)
        {
            slice[i - from] = items[i];
        }

        return slice;
    }
}
