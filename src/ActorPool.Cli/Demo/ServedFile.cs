using System.Security.Cryptography;

namespace ActorPool.Cli.Demo;

/// <summary>
/// A file the local server generates on the fly (a repeated pseudo-random block, so even large
/// files cost no memory), and how the server misbehaves when serving it.
/// </summary>
internal sealed record ServedFile(string Name, long Size)
{
    private const int BlockSize = 64 * 1024;
    private byte[]? _block;
    private string? _sha256;

    /// <summary>Answer the first this-many requests with <see cref="FailStatus"/>.</summary>
    public int FailFirst { get; init; }

    /// <summary>The status of the failing answers.</summary>
    public int FailStatus { get; init; } = 503;

    /// <summary>Retry-After (whole seconds) sent with failing answers.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Whether the server honours <c>Range: bytes=N-</c> with 206 Partial Content; when false it ignores ranges and sends the whole body.</summary>
    public bool AcceptRanges { get; init; } = true;

    /// <summary>Always answer 404.</summary>
    public bool Missing { get; init; }

    /// <summary>Throttle the body to this rate on the server side; null = as fast as possible.</summary>
    public long? BytesPerSecond { get; init; }

    /// <summary>When set, the server sends half the body, then waits for this task before the rest.</summary>
    public Task? HoldHalfwayUntil { get; init; }

    /// <summary>Called when the server reaches the halfway hold, before it waits.</summary>
    public Action? OnHalfway { get; init; }

    /// <summary>The SHA-256 of the body, lower-case hex.</summary>
    public string Sha256
    {
        get
        {
            if (_sha256 is null)
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                foreach (var chunk in Chunks(BlockSize))
                {
                    hash.AppendData(chunk.Span);
                }

                _sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            }

            return _sha256;
        }
    }

    /// <summary>The body from <paramref name="from"/> on, in pieces of at most <paramref name="chunkSize"/> bytes.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Chunks(int chunkSize, long from = 0)
    {
        var block = Block();
        chunkSize = Math.Min(chunkSize, BlockSize);
        for (var sent = from; sent < Size;)
        {
            var offset = (int)(sent % BlockSize);
            var count = (int)Math.Min(Math.Min(chunkSize, BlockSize - offset), Size - sent);
            yield return block.AsMemory(offset, count);
            sent += count;
        }
    }

    private byte[] Block()
    {
        if (_block is null)
        {
            var block = new byte[BlockSize];
            // Seeded from the name (FNV-1a) so a name always gives the same bytes.
            var seed = 2166136261u;
            foreach (var c in Name)
            {
                seed = (seed ^ c) * 16777619u;
            }

#pragma warning disable CA5394 // Demo data, not security.
            new Random((int)seed).NextBytes(block);
#pragma warning restore CA5394
            _block = block;
        }

        return _block;
    }
}
