using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ActorPool.Cli.Demo;

/// <summary>
/// A Kestrel server on a free loopback port that serves <see cref="ServedFile"/>s under
/// <c>/files/{name}</c>: the demo's stand-in for the internet, and the tests' real server.
/// </summary>
internal sealed class FileServer : IAsyncDisposable
{
    private const int ChunkSize = 16 * 1024;
    private readonly WebApplication _app;
    private readonly Dictionary<string, ServedFile> _files;
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Name, long From)> _ranges = new();
    private readonly Lock _throttleGate = new();
    private readonly TimeSpan _minInterval;
    private long _lastServedAt;
    private int _throttled;

    private FileServer(WebApplication app, IEnumerable<ServedFile> files, TimeSpan minInterval)
    {
        _app = app;
        _files = files.ToDictionary(f => f.Name, StringComparer.Ordinal);
        _minInterval = minInterval;
    }

    /// <summary>The server's root, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Starts serving <paramref name="files"/> on 127.0.0.1 and a port the OS picks.</summary>
    /// <param name="files">What to serve.</param>
    /// <param name="minInterval">When above zero, the server throttles like a rate-limited API: a request that comes sooner than this after the last one it served gets 429 with <c>Retry-After: 1</c>.</param>
    /// <param name="cancellationToken">Stops the start.</param>
    public static async Task<FileServer> StartAsync(IEnumerable<ServedFile> files, TimeSpan minInterval = default, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FileServer(app, files, minInterval);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    /// <summary>The URL of a file, served or not.</summary>
    public Uri UrlOf(string name) => new(BaseAddress, "files/" + Uri.EscapeDataString(name));

    /// <summary>How many requests asked for <paramref name="name"/>.</summary>
    public int RequestsFor(string name) => _requests.GetValueOrDefault(name);

    /// <summary>The offsets of the <c>Range: bytes=N-</c> requests for <paramref name="name"/>, in arrival order.</summary>
    public IReadOnlyList<long> RangesFor(string name) => [.. _ranges.Where(r => r.Name == name).Select(r => r.From)];

    /// <summary>Requests answered 429 because they came sooner than the minimum interval.</summary>
    public int Throttled => Volatile.Read(ref _throttled);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }

    /// <summary>The N of <c>Range: bytes=N-</c>; other range forms are not needed by the client and are ignored.</summary>
    private static long? RangeStart(HttpRequest request)
    {
        var range = request.Headers.Range.ToString();
        const string Prefix = "bytes=";
        return range.StartsWith(Prefix, StringComparison.Ordinal) && range.EndsWith('-')
            && long.TryParse(range.AsSpan(Prefix.Length, range.Length - Prefix.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? start
            : null;
    }

    private bool IsTooSoon()
    {
        if (_minInterval <= TimeSpan.Zero)
        {
            return false;
        }

        lock (_throttleGate)
        {
            var now = Stopwatch.GetTimestamp();
            if (_lastServedAt != 0 && Stopwatch.GetElapsedTime(_lastServedAt, now) < _minInterval)
            {
                return true;
            }

            _lastServedAt = now;
            return false;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        var name = path.StartsWith("/files/", StringComparison.Ordinal) ? Uri.UnescapeDataString(path["/files/".Length..]) : string.Empty;
        var count = _requests.AddOrUpdate(name, 1, (_, n) => n + 1);
        if (!_files.TryGetValue(name, out var file) || file.Missing)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (IsTooSoon())
        {
            Interlocked.Increment(ref _throttled);
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = "1";
            return;
        }

        if (count <= file.FailFirst)
        {
            context.Response.StatusCode = file.FailStatus;
            if (file.RetryAfterSeconds is { } seconds)
            {
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            }

            return;
        }

        var aborted = context.RequestAborted;
        context.Response.ContentType = "application/octet-stream";
        long from = 0;
        if (file.AcceptRanges && RangeStart(context.Request) is { } start)
        {
            _ranges.Enqueue((name, start));
            if (start >= file.Size)
            {
                context.Response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                context.Response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes */{file.Size}");
                return;
            }

            from = start;
            context.Response.StatusCode = StatusCodes.Status206PartialContent;
            context.Response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {from}-{file.Size - 1}/{file.Size}");
        }

        if (file.AcceptRanges)
        {
            context.Response.Headers.AcceptRanges = "bytes";
        }

        context.Response.ContentLength = file.Size - from;
        var delayPerChunk = file.BytesPerSecond is { } rate ? TimeSpan.FromSeconds(ChunkSize / (double)rate) : TimeSpan.Zero;
        var sent = from;
        var held = file.HoldHalfwayUntil is null || from >= file.Size / 2;
        try
        {
            foreach (var whole in file.Chunks(ChunkSize, from))
            {
                var chunk = whole;
                if (!held && sent + chunk.Length > file.Size / 2)
                {
                    var before = (int)(file.Size / 2 - sent);
                    await context.Response.Body.WriteAsync(chunk[..before], aborted);
                    await context.Response.Body.FlushAsync(aborted);
                    sent += before;
                    chunk = chunk[before..];
                    file.OnHalfway?.Invoke();
                    await file.HoldHalfwayUntil!.WaitAsync(aborted);
                    held = true;
                }

                await context.Response.Body.WriteAsync(chunk, aborted);
                sent += chunk.Length;
                if (delayPerChunk > TimeSpan.Zero)
                {
                    await context.Response.Body.FlushAsync(aborted);
                    await Task.Delay(delayPerChunk, aborted);
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away (cancelled download); nothing to answer.
        }
    }
}
